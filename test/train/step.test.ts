/**
 * The one training step (src/train/step.ts): fit and rx.trainStep run it and agree bit for bit;
 * guarded, a failing step leaves every weight and BatchNorm running statistic as it found them.
 */
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { data, fit, manualSeed, nn, optim, randn, rx, tensor, type Tensor } from '../../src';
import { NonFiniteLossError, TrainingStep } from '../../src/train';

function problem(seed: number) {
  manualSeed(seed);
  const x = randn(64, 4);
  const y = x.matmul(randn(4, 1));
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true });
  const model = new nn.MLP({ inFeatures: 4, hidden: [8], outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return { loader, model, optimizer, criterion: new nn.MSELoss() };
}

const state = (m: nn.Module) =>
  Object.fromEntries(
    Object.entries(m.stateDict()).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v.data)]),
  );

describe('TrainingStep', () => {
  it('fit and rx.trainStep run the same step: the same weights and statistics, bit for bit', async () => {
    const a = problem(1);
    await fit({ ...a, epochs: 3 });
    const b = problem(1);
    await lastValueFrom(rx.batches(b.loader, { scheduler: null }).pipe(rx.epochs(3), rx.trainStep(b)));
    expect(state(b.model)).toEqual(state(a.model));
  });

  it('guarded: a NaN loss throws before the update; weights and running statistics stay', () => {
    const p = problem(2);
    const step = new TrainingStep(p.model, p.criterion, p.optimizer, { guard: true });
    const [x, y] = p.loader[Symbol.iterator]().next().value as Tensor[];
    const ok = step.run(x, y);
    expect(ok.value).toBe(ok.loss.item());
    const before = state(p.model);
    const bad = x.mul(tensor(NaN));
    expect(() => step.run(bad, y)).toThrow(NonFiniteLossError);
    expect(() => step.run(bad, y)).toThrow('loss is NaN; stopped before the update, the weights are unchanged');
    expect(state(p.model)).toEqual(before);
  });

  it('guarded: an optimizer that throws leaves the running statistics where the step found them', () => {
    const p = problem(3);
    const failing = {
      zeroGrad: () => p.optimizer.zeroGrad(),
      step: () => {
        throw new Error('no step');
      },
    };
    const step = new TrainingStep(p.model, p.criterion, failing, { guard: true });
    const [x, y] = p.loader[Symbol.iterator]().next().value as Tensor[];
    const before = state(p.model);
    expect(() => step.run(x, y)).toThrow('no step');
    expect(state(p.model)).toEqual(before);
    // Unguarded, the forward pass's statistics move stays (train mode's side effect, as in PyTorch).
    expect(() => new TrainingStep(p.model, p.criterion, failing).run(x, y)).toThrow('no step');
    expect(state(p.model)['normalize1.num_batches_tracked']).toBe(1);
  });

  it('BatchNorm saves and restores its own running statistics', () => {
    manualSeed(4);
    const bn = new nn.BatchNorm1d(3);
    const saved = bn.saveRunningStats();
    bn.forward(randn(8, 3));
    expect(bn.numBatchesTracked).toBe(1);
    saved.restore();
    expect(Array.from(bn.runningMean!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningVar!.data)).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked).toBe(0);
  });
});
