#!/usr/bin/env node
'use strict';
/**
 * W2 on the GPU machine: inputs [*, 64], batch 256, three hidden layers of 256 with
 * BatchNorm + ReLU, MSE, SGD, same seed and data on every backend. Two timings each:
 *   steps  trainBatch + loss.item() per step (a loop that reads every loss: one readback a step)
 *   fit    whole epochs through fit (reads nothing back; the resident mode's fences pace it)
 * on rxnn's js backend and its gpu backend in webgpu mode (tensors resident on the device
 * unless RXNN_WEBGPU_RESIDENT=0, when every kernel call copies in and out: run it as a
 * second process with ONLY_GPU=1 to compare). Reports samples/s and the final loss (the
 * backends must agree to float32 accuracy). Usage: node w2-gpu.cjs OUT.json [steps]
 * env: RXNN_BUILD = the compiled src (stage.sh).
 */
const fs = require('fs');
const path = require('path');
const build = path.resolve(process.env.RXNN_BUILD || 'dist');
const req = (p) => require(path.join(build, p));
const { setBackend, getBackend } = req('src/backend/index.js');
const { manualSeed } = req('src/random/index.js');
const { randn } = req('src/tensor/index.js');
const nn = req('src/nn/index.js');
const { SGD } = req('src/optim/index.js');
const { fit, trainBatch } = req('src/train/fit.js');
const { DataLoader, TensorDataset } = req('src/data/index.js');

const [outFile, stepsArg] = process.argv.slice(2);
const STEPS = Number(stepsArg || 24),
  BATCH = 256,
  WARMUP = 2,
  FIT_EPOCHS = 2;
const rows = [];
const save = () => fs.writeFileSync(outFile, JSON.stringify({ steps: STEPS, batch: BATCH, rows }, null, 1));
const resident = process.env.RXNN_WEBGPU_RESIDENT !== '0';
const backends = [['js'], ['gpu', { mode: 'webgpu' }]].filter(([n]) => !process.env.ONLY_GPU || n === 'gpu');

function problem() {
  manualSeed(0);
  const x = randn((STEPS + WARMUP) * BATCH, 64),
    y = randn((STEPS + WARMUP) * BATCH, 1);
  manualSeed(24);
  const net = new nn.MLP({ inFeatures: 64, hidden: [256, 256, 256], outFeatures: 1, bn: 'pre' });
  return { x, y, net, opt: new SGD(net.parameters(), { lr: 0.01 }), crit: new nn.MSELoss() };
}

(async () => {
  for (const [name, options] of backends) {
    const label = options ? `${name}:${options.mode}${resident ? '' : ' (copy per call)'}` : name;
    try {
      setBackend(name, options);
      const { x, y, net, opt, crit } = problem();
      const batch = (i) => [...Array(BATCH).keys()].map((r) => i * BATCH + r);
      let loss = NaN;
      for (let i = 0; i < WARMUP; i++) trainBatch(net, crit, opt, x.indexSelect(batch(i)), y.indexSelect(batch(i)));
      let t0 = process.hrtime.bigint();
      for (let i = WARMUP; i < WARMUP + STEPS; i++)
        loss = trainBatch(net, crit, opt, x.indexSelect(batch(i)), y.indexSelect(batch(i))).item();
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      // fit: epochs over a shuffled loader; the time ends with a read of one weight (the device's queue drained).
      const loader = new DataLoader(new TensorDataset(x, y), { batchSize: BATCH, shuffle: true });
      t0 = process.hrtime.bigint();
      await fit({ model: net, criterion: crit, optimizer: opt, loader, epochs: FIT_EPOCHS });
      void net.parameters()[0].data[0];
      const sFit = Number(process.hrtime.bigint() - t0) / 1e9;
      rows.push({
        backend: label,
        mode: getBackend().mode ?? null,
        device: getBackend().device ?? null,
        samplesPerS: (STEPS * BATCH) / s,
        msPerStep: (s * 1e3) / STEPS,
        finalLoss: loss,
        fitSamplesPerS: (FIT_EPOCHS * x.shape[0]) / sFit,
      });
    } catch (e) {
      rows.push({ backend: label, error: String((e && e.message) || e).slice(0, 500) });
    }
    console.log(JSON.stringify(rows[rows.length - 1]));
    save();
  }
  setBackend('js');
  process.exit(0);
})();
