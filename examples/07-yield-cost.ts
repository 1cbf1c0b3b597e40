/**
 * What yielding to the event loop between batches costs: the lesson's epoch
 * (700 training rows, batch 10: 70 steps, BN-'pre' MLP, SGD lr 0.03) through
 * the plain `fit` loop, through an rx pipeline that never yields
 * (`scheduler: null`) and through the default one that yields once per batch.
 *
 *   npx ts-node examples/07-yield-cost.ts
 */
import { lastValueFrom } from 'rxjs';
import { manualSeed, nn, optim, fit, data } from 'rxnn';
import { trainTest$ } from 'rxnn/rx';
import { immediateScheduler } from 'rxnn/rx';

manualSeed(420);
const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
const [train, test] = data.splitLoader(features, labels, { batchSize: 10 });
// Evaluation is the same in every variant; a no-op metric keeps the timing to training itself.
const noMetric = () => 0;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

type Variant = [label: string, run: (m: nn.MLP, epochs: number) => Promise<unknown>];

/** ms per epoch of each variant; the variants take turns in every round, so a busy machine slows all alike. */
async function time(variants: Variant[], epochs = 20, rounds = 21): Promise<number[]> {
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, run]] of variants.entries()) {
      manualSeed(24);
      const model = new nn.MLP({ bn: 'pre' });
      const t0 = process.hrtime.bigint();
      await run(model, epochs);
      times[i].push(Number(process.hrtime.bigint() - t0) / 1e6 / epochs);
    }
  }
  return times.map((t, i) => {
    const ms = median(t);
    console.log(`${variants[i][0].padEnd(34)} ${ms.toFixed(3)} ms/epoch  ${((ms * 1000) / 70).toFixed(2)} µs/step`);
    return ms;
  });
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
  await time([['warm-up', viaRx(immediateScheduler)]], 20, 5);
  const [f, sync, yielding, sliced] = await time([
    ['fit (yields once per epoch)', viaFit],
    ['rx, scheduler: null (never yields)', viaRx(null)],
    ['rx, default (yields every batch)', viaRx(immediateScheduler)],
    ['rx, sliceMs: 4 (yields every 4 ms)', viaRx(immediateScheduler, 4)],
  ]);
  console.log(
    `\nyield cost: ${(((yielding - sync) * 1000) / 70).toFixed(2)} µs per batch (${(((yielding - sync) / sync) * 100).toFixed(1)}% of an epoch);` +
      ` operator overhead over fit: ${(((sync - f) * 1000) / 70).toFixed(2)} µs per step;` +
      ` with sliceMs 4: ${(((sliced - sync) * 1000) / 70).toFixed(2)} µs per batch`,
  );
}

main();
