#!/usr/bin/env node
'use strict';
/**
 * W2 on the GPU machine: a training epoch's steps (inputs [*, 64], batch 256, three hidden
 * layers of 256 with BatchNorm + ReLU, MSE, SGD) on rxnn's js backend and on its gpu backend
 * in webgpu mode, same seed and data. Reports samples/s and the final loss of each (the two
 * must agree to float32 accuracy). Usage: node w2-gpu.cjs OUT.json [steps]
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
const { trainBatch } = req('src/train/fit.js');

const [outFile, stepsArg] = process.argv.slice(2);
const STEPS = Number(stepsArg || 24), BATCH = 256, WARMUP = 2;
const rows = [];
const save = () => fs.writeFileSync(outFile, JSON.stringify({ steps: STEPS, batch: BATCH, rows }, null, 1));

for (const [name, options] of [['js'], ['gpu', { mode: 'webgpu' }]]) {
  const label = options ? `${name}:${options.mode}` : name;
  try {
    setBackend(name, options);
    manualSeed(0);
    const x = randn((STEPS + WARMUP) * BATCH, 64), y = randn((STEPS + WARMUP) * BATCH, 1);
    manualSeed(24);
    const net = new nn.MLP({ inFeatures: 64, hidden: [256, 256, 256], outFeatures: 1, bn: 'pre' });
    const opt = new SGD(net.parameters(), { lr: 0.01 });
    const crit = new nn.MSELoss();
    const batch = (i) => [...Array(BATCH).keys()].map((r) => i * BATCH + r);
    let loss = NaN;
    for (let i = 0; i < WARMUP; i++) trainBatch(net, crit, opt, x.indexSelect(batch(i)), y.indexSelect(batch(i)));
    const t0 = process.hrtime.bigint();
    for (let i = WARMUP; i < WARMUP + STEPS; i++) loss = trainBatch(net, crit, opt, x.indexSelect(batch(i)), y.indexSelect(batch(i))).item();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push({ backend: label, mode: getBackend().mode ?? null, samplesPerS: (STEPS * BATCH) / s, msPerStep: (s * 1e3) / STEPS, finalLoss: loss });
  } catch (e) {
    rows.push({ backend: label, error: String(e && e.message || e).slice(0, 500) });
  }
  console.log(JSON.stringify(rows[rows.length - 1]));
  save();
}
setBackend('js');
process.exit(0);
