/**
 * Watching BatchNorm's running statistics converge. `runningStats(model)` emits
 * every BatchNorm layer's running mean and variance after each step; we print
 * them next to what they estimate: the mean and (unbiased) variance of the
 * layer's input over the whole training set, at the current weights.
 *
 *   npx ts-node examples/05-running-stats.ts
 */
import { filter } from 'rxjs';
import { manualSeed, nn, noGrad, data, Tensor } from 'rxnn';
import { trainTest$ } from 'rxnn/rx';

manualSeed(420);
const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
const [train, test] = data.splitLoader(features, labels, { batchSize: 10 });
manualSeed(24);
const model = new nn.MLP({ inFeatures: 2, hidden: [4], bn: 'pre', momentum: 0.1 });

const linear1 = model.namedModules().find(([name]) => name === 'linear1')![1] as nn.Linear;
const [X] = data.allRows(train.dataset);
/** What normalize1's running statistics estimate: statistics of linear1(X) over all training rows. */
const target = (): { mean: Tensor; var: Tensor } =>
  noGrad(() => {
    const z = linear1.forward(X);
    return { mean: z.mean(0), var: z.var(0, { unbiased: true }) };
  });

const fmt = (xs: ArrayLike<number>) => `[${Array.from(xs, (x) => x.toFixed(3).padStart(7)).join(' ')}]`;
console.log('momentum 0.1: each step moves the running values 10% of the way to the batch statistics\n');

trainTest$({ model, train, test, epochs: 5, stats: true })
  .pipe(
    filter(
      (e) => e.kind === 'runningStats' && (e.epoch === 1 ? [1, 2, 5, 10, 20, 40, 70].includes(e.step) : e.step === 70),
    ),
  )
  .subscribe((e) => {
    if (e.kind !== 'runningStats') return;
    const [bn] = e.layers; // normalize1
    const t = target();
    console.log(
      `epoch ${e.epoch} step ${String(e.step).padStart(2)}  batches tracked ${String(bn.numBatchesTracked).padStart(3)}`,
    );
    console.log(`  running mean ${fmt(bn.runningMean!)}   data mean ${fmt(t.mean.data)}`);
    console.log(`  running var  ${fmt(bn.runningVar!)}   data var  ${fmt(t.var.data)}`);
  });
