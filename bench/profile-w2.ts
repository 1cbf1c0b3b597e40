/**
 * Where a W2 training step's time goes on the js backend: bench/run.ts's W2
 * (inputs [*, 64], batch 256, 3 hidden layers of 256 with BN + ReLU, SGD, through
 * `fit`), with a timer around every kernel call (K's entries wrapped) and
 * gemm's own phases (profileGemm: copies in and out, the calling thread's share
 * of the tiles, its wait for the worker). What no kernel accounts for is the
 * engine: autograd, tensor bookkeeping, fit and the loader's JS.
 * Microseconds per step, median over PROFILE_REPS epochs after 3 warm-up epochs.
 * Run: npx ts-node bench/profile-w2.ts   (PROFILE_REPS=n, default 7)
 */
import { K, setBackend } from '../src/backend';
import { profileGemm, type GemmProfile } from '../src/backend/wasm/gemm';
import { median } from './stats';
import { w2Training } from './w2';

const STEPS = 17; // bench/run.ts's W2: 16 + 1 batches of 256
const REPS = Number(process.env.PROFILE_REPS) || 7;

setBackend('js');
const { epoch } = w2Training(STEPS);

/** Kernel time per key (us) in the current epoch. */
let spent = new Map<string, number>();
let timing = false;

function wrap(): void {
  const k = K as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of Object.keys(k)) {
    const fn = k[name];
    k[name] = (...args: unknown[]) => {
      if (!timing) return fn(...args);
      // unary and binary by op, so that relu and its backward show apart from the adds.
      const key = name === 'unary' || name === 'binary' ? `${name} ${String(args[0])}` : name;
      const t0 = performance.now();
      const r = fn(...args);
      spent.set(key, (spent.get(key) ?? 0) + (performance.now() - t0) * 1000);
      return r;
    };
  }
}

async function main(): Promise<void> {
  for (let i = 0; i < 3; i++) await epoch();
  wrap();
  const perStep: Map<string, number>[] = [];
  const totals: number[] = [];
  const gemms: GemmProfile[] = [];
  for (let r = 0; r < REPS; r++) {
    spent = new Map();
    const g = profileGemm(true) as GemmProfile;
    timing = true;
    const t0 = performance.now();
    await epoch();
    const us = (performance.now() - t0) * 1000;
    timing = false;
    profileGemm(false);
    totals.push(us / STEPS);
    perStep.push(new Map([...spent].map(([key, v]) => [key, v / STEPS])));
    gemms.push(g);
  }
  const keys = [...new Set(perStep.flatMap((m) => [...m.keys()]))];
  const med = (key: string) => median(perStep.map((m) => m.get(key) ?? 0));
  const kernelSum = median(perStep.map((m) => [...m.values()].reduce((p, v) => p + v, 0)));
  const step = median(totals);
  const g = (f: keyof GemmProfile) => median(gemms.map((p) => p[f] / STEPS));

  const group = (pred: (k: string) => boolean) => keys.filter(pred).reduce((p, k) => p + med(k), 0);
  const rows: [string, number][] = [
    ['matmul (K.matmul, all of it)', med('matmul')],
    ['  copy in (A, B into wasm memory)', g('copyIn') - g('wake')],
    ['  waking the worker (Atomics.notify)', g('wake')],
    ["  tiles, calling thread's share", g('compute')],
    ['  wait for the worker (wake-up + its share tail)', g('wait')],
    ['  copy out (C)', g('copyOut')],
    ['BatchNorm (stats, forward, backward, running stats)', group((k) => k.startsWith('batchNorm'))],
    ['ReLU forward + backward', group((k) => k === 'unary relu' || k === 'binary reluGrad')],
    [
      'other elementwise (add, mul, sub, accumulate, fill, copy)',
      group(
        (k) =>
          (k.startsWith('unary') || k.startsWith('binary') || k === 'accumulate' || k === 'fill') &&
          k !== 'unary relu' &&
          k !== 'binary reluGrad',
      ),
    ],
    ['reductions (bias gradients, loss)', group((k) => k === 'reduce' || k === 'variance')],
    ['optimizer (sgdUpdate)', med('sgdUpdate')],
    ['loader gather (gatherRows)', med('gatherRows')],
    ['other kernels', group((k) => ['permute', 'scatterAddRows', 'read', 'release'].includes(k))],
    ['engine (autograd, tensors, fit, loader JS): step - kernels', step - kernelSum],
  ];
  console.log(
    `W2 step profile, js backend: ${fmtUs(step)} per step of 256 samples (${Math.round((256 / step) * 1e6)} samples/s), median of ${REPS} epochs of ${STEPS} steps`,
  );
  console.log(`gemm calls per step: ${g('calls')}`);
  for (const [label, us] of rows)
    console.log(`  ${label.padEnd(60)} ${fmtUs(us).padStart(9)} ${((100 * us) / step).toFixed(1).padStart(5)}%`);
  console.log('\nper kernel key (us per step, median):');
  for (const k of keys.sort((a, b) => med(b) - med(a)))
    console.log(`  ${k.padEnd(28)} ${med(k).toFixed(1).padStart(8)}`);
}

function fmtUs(us: number): string {
  return `${us.toFixed(0)} us`;
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
