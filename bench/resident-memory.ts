/**
 * Memory per parameter of a training loop in the gpu backend's webgpu mode (resident storages:
 * src/backend/gpu/resident.ts). For each model it trains a few steps through `fit`, then prints
 *
 *   P              the parameter count;
 *   device B/P     bytes of the live device buffers (residency.deviceBytes: parameters, gradients,
 *                  momentum buffers, BatchNorm statistics, the dataset, and the buffers kept for
 *                  reuse by later results of the same length) per parameter;
 *   host B/P now   bytes of host arrays held by the storages of the parameters, their gradients and
 *                  SGD's momentum buffers, per parameter (no host array until a value is read);
 *   host B/P before  the same figure in the old design, where every resident storage held a host
 *                  array of its size: 4 bytes per value of those storages, per parameter.
 *
 * The models: test/backend/webgpu-device.test.ts's small W2 (16 -> 32 -> 32 -> 1, batch 32) and
 * bench/w2.ts's W2 (64 -> 256 x 3 -> 1, batch 256), BatchNorm before ReLU, MSE, SGD with momentum 0.9.
 * Where webgpu does not run here it prints why and exits 0.
 *
 * Run: npx ts-node bench/resident-memory.ts   (xvfb-run -a in front where the adapter needs a display)
 */
import { data, fit, manualSeed, nn, optim, randn, setBackend, Tensor } from '../src';
import { activeRunner } from '../src/backend/gpu';
import { probeMode } from '../src/backend/gpu/modes';
import type { Residency } from '../src/backend/gpu/resident';
import type { BridgeRunner } from '../src/backend/gpu/webgpu';
import type { Storage } from '../src/backend/storage';

interface Shape {
  name: string;
  inFeatures: number;
  hidden: number[];
  samples: number;
  batchSize: number;
}

const SHAPES: Shape[] = [
  { name: 'small W2 (16 → 32 → 32 → 1, batch 32)', inFeatures: 16, hidden: [32, 32], samples: 96, batchSize: 32 },
  {
    name: 'W2 (64 → 256 ×3 → 1, batch 256)',
    inFeatures: 64,
    hidden: [256, 256, 256],
    samples: 17 * 256,
    batchSize: 256,
  },
];
const EPOCHS = 2;

interface Row {
  name: string;
  params: number;
  steps: number;
  deviceBytes: number;
  hostBytes: number;
  values: number;
}

async function measure(shape: Shape, res: Residency): Promise<Row> {
  const deviceBefore = res.deviceBytes;
  manualSeed(7);
  const x = randn(shape.samples, shape.inFeatures);
  const y = x.matmul(randn(shape.inFeatures, 1)).mul(0.5);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: shape.batchSize, shuffle: true });
  const model = new nn.MLP({ inFeatures: shape.inFeatures, hidden: shape.hidden, outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  await fit({ model, criterion: new nn.MSELoss(), optimizer, loader, epochs: EPOCHS });

  const params = model.parameters();
  const momentum = (optimizer as unknown as { buffers: Map<Tensor, Storage> }).buffers;
  const storages: Storage[] = [
    ...params.map((p) => p.storage),
    ...params.flatMap((p) => (p.grad ? [p.grad.storage] : [])),
    ...momentum.values(),
  ];
  const hostBytes = storages.reduce((b, s) => b + (s.host?.byteLength ?? 0), 0);
  const values = storages.reduce((n, s) => n + s.length, 0);
  const row: Row = {
    name: shape.name,
    params: params.reduce((n, p) => n + p.size, 0),
    steps: EPOCHS * loader.length,
    deviceBytes: res.deviceBytes - deviceBefore,
    hostBytes,
    values,
  };
  void params[0].data[0]; // waits for the device to finish (a read), after the figures are taken
  return row;
}

async function main(): Promise<void> {
  const probe = probeMode('webgpu');
  if (!probe.ok) {
    console.log(`resident-memory: webgpu does not run here (${probe.why}); nothing measured.`);
    return;
  }
  const info = setBackend('gpu', { mode: 'webgpu' });
  const res = (activeRunner() as BridgeRunner).residency;
  if (!res) {
    console.log('resident-memory: the webgpu runner keeps no residency here; nothing measured.');
    return;
  }
  const rows: Row[] = [];
  for (const shape of SHAPES) rows.push(await measure(shape, res));

  const f = (v: number) => v.toFixed(2);
  console.log(`webgpu on ${info.device ?? 'an unnamed adapter'}; ${EPOCHS} epochs of fit, SGD with momentum 0.9\n`);
  console.log(
    '| model | P | steps | device bytes / P | host bytes / P (params + grads + momentum) | before: every resident tensor held a host array of its size (4 × values / P) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.params} | ${r.steps} | ${f(r.deviceBytes / r.params)} | ${f(r.hostBytes / r.params)} | ${f((4 * r.values) / r.params)} |`,
    );
  }
  console.log(
    '\ndevice bytes: buffers this model created during fit (residency.deviceBytes, after minus before): ' +
      'parameters, gradients, momentum, BatchNorm statistics, the dataset and the buffers kept for reuse.',
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
