/**
 * What yielding to the event loop between batches costs: the lesson's epoch
 * (700 training rows, batch 10: 70 steps, BN-'pre' MLP, SGD lr 0.03) through
 * the plain `fit` loop, through an rx pipeline that never yields
 * (`scheduler: null`), one that yields once per batch (the default) and one
 * that yields every 4 ms (`sliceMs: 4`).
 *
 * The method: the variants take turns within every round (in a rotating
 * order), so a machine that slows down slows all of them alike; each cost is
 * the median over rounds of the difference within a round, with the spread
 * of those differences (25th to 75th percentile). A cost whose spread
 * includes zero is reported as below what this run can resolve, never as a
 * negative cost.
 *
 *   npx ts-node examples/07-yield-cost.ts [rounds]
 */
import { lastValueFrom } from 'rxjs';
import { manualSeed, nn, optim, fit, data } from 'rxnn';
import { trainTest$, immediateScheduler } from 'rxnn/rx';

const STEPS = 70;
const EPOCHS = 40;
const ROUNDS = Number(process.argv[2] ?? 61);

manualSeed(420);
const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
const [train, test] = data.splitLoader(features, labels, { batchSize: 10 });
// Evaluation is the same in every variant; a no-op metric keeps the timing to training itself.
const noMetric = () => 0;

/** The q-quantile of xs (linear interpolation). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

type Variant = { label: string; run: (m: nn.MLP, epochs: number) => Promise<unknown> };

/** µs per step of each variant in each round; the order rotates every round. */
async function measure(variants: Variant[], rounds: number): Promise<number[][]> {
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (r + k) % variants.length;
      manualSeed(24);
      const model = new nn.MLP({ bn: 'pre' });
      const t0 = process.hrtime.bigint();
      await variants[i].run(model, EPOCHS);
      times[i].push(Number(process.hrtime.bigint() - t0) / 1e3 / EPOCHS / STEPS);
    }
  }
  return times;
}

/** `b - a` per round: its median and spread, or the bound it stays under when the spread includes zero. */
function cost(a: number[], b: number[]): string {
  const d = a.map((x, i) => b[i] - x);
  const [q1, med, q3] = [0.25, 0.5, 0.75].map((q) => quantile(d, q));
  const spread = `middle half of rounds ${q1.toFixed(2)} to ${q3.toFixed(2)} µs`;
  if (q3 <= 0) return `none measured (${spread})`;
  if (q1 <= 0) return `not resolved: under ${q3.toFixed(2)} µs per batch (${spread})`;
  return `${med.toFixed(2)} µs per batch (${spread})`;
}

async function main() {
  const viaFit = (m: nn.MLP, epochs: number) =>
    fit({
      model: m,
      criterion: new nn.MSELoss(),
      optimizer: new optim.SGD(m.parameters(), { lr: 0.03 }),
      loader: train,
      epochs,
    });
  const viaRx =
    (scheduler: typeof immediateScheduler | null, sliceMs = 0) =>
    (m: nn.MLP, epochs: number) =>
      lastValueFrom(trainTest$({ model: m, train, test, epochs, evaluate: noMetric, scheduler, sliceMs }));
  const variants: Variant[] = [
    { label: 'fit (yields once per epoch)', run: viaFit },
    { label: 'rx, scheduler: null (never yields)', run: viaRx(null) },
    { label: 'rx, default (yields every batch)', run: viaRx(immediateScheduler) },
    { label: 'rx, sliceMs: 4 (yields every 4 ms)', run: viaRx(immediateScheduler, 4) },
  ];
  await measure(variants, 3); // warm-up: JIT, wasm compilation, allocator
  const [f, sync, yielding, sliced] = await measure(variants, ROUNDS);
  console.log(`${ROUNDS} rounds of ${EPOCHS} epochs × ${STEPS} steps per variant; medians per step:`);
  [f, sync, yielding, sliced].forEach((t, i) => {
    const [q1, med, q3] = [0.25, 0.5, 0.75].map((q) => quantile(t, q));
    console.log(`  ${variants[i].label.padEnd(36)} ${med.toFixed(2)} µs/step  (${q1.toFixed(2)}–${q3.toFixed(2)})`);
  });
  console.log(`yield cost, default over never yielding: ${cost(sync, yielding)}`);
  console.log(`yield cost, sliceMs 4 over never yielding: ${cost(sync, sliced)}`);
  console.log(`operator overhead, rx (never yielding) over fit: ${cost(f, sync)}`);
}

void main();
