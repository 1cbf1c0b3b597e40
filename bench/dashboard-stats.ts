/**
 * What the dashboard's BatchNorm statistics cost on W1 (the lesson: 700 rows,
 * batch 10, Linear(2,4) -> BN1d -> ReLU -> Linear), per epoch through the rx
 * operators: trainStep alone, with runningStats, and with runningStats and the
 * batch's own statistics (`batch: true`). The three variants take turns, round
 * after round, so a machine's drift hits them alike; medians of the rounds.
 *
 *   npx ts-node bench/dashboard-stats.ts [rounds]
 */
import { identity, lastValueFrom, OperatorFunction } from 'rxjs';
import { data, manualSeed, nn, optim, Tensor } from '../src/index';
import { batches, epochs, runningStats, trainStep } from '../src/rx';
import type { PipelineEvent } from '../src/rx/events';
import { fmt, median } from './stats';

type Variant = 'trainStep' | 'runningStats' | 'runningStats batch';
const ROUNDS = Number(process.argv[2] ?? 15);
const EPOCHS_PER_ROUND = 20;

function setup(variant: Variant) {
  manualSeed(420);
  const [f, l] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
  const [train] = data.splitLoader(f, l, { batchSize: 10, rate: 0.7 });
  manualSeed(24);
  const model = new nn.MLP({ inFeatures: 2, hidden: [4], outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.03 });
  const stats: OperatorFunction<PipelineEvent, PipelineEvent> =
    variant === 'trainStep'
      ? identity
      : runningStats<PipelineEvent>(model, { batch: variant === 'runningStats batch' });
  model.train();
  // No scheduler: the epoch runs synchronously, so only the operators' own work is timed.
  const pass = () =>
    lastValueFrom(
      batches(train, { scheduler: null }).pipe(
        epochs(EPOCHS_PER_ROUND),
        trainStep<PipelineEvent<Tensor, Tensor>>({ model, criterion: new nn.MSELoss(), optimizer }),
        stats,
      ),
    );
  return pass;
}

async function main(): Promise<void> {
  const variants: Variant[] = ['trainStep', 'runningStats', 'runningStats batch'];
  const passes = variants.map(setup);
  for (const p of passes) for (let i = 0; i < 5; i++) await p(); // warm-up: V8 tiers up the step's code
  const ms: number[][] = variants.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, p] of passes.entries()) {
      const t0 = performance.now();
      await p();
      ms[i].push((performance.now() - t0) / EPOCHS_PER_ROUND);
    }
  }
  const base = median(ms[1]);
  console.log(`W1 per epoch (70 steps), median of ${ROUNDS} rounds of ${EPOCHS_PER_ROUND} epochs:`);
  for (const [i, v] of variants.entries()) {
    const m = median(ms[i]);
    const vs =
      i === 0
        ? ''
        : i === 1
          ? `  (+${fmt(100 * (m / median(ms[0]) - 1), 2)}% over trainStep)`
          : `  (+${fmt(100 * (m / base - 1), 2)}% over runningStats, +${fmt(100 * (m / median(ms[0]) - 1), 2)}% over trainStep)`;
    console.log(`  ${v.padEnd(20)} ${fmt(m)} ms${vs}`);
  }
}

void main();
