import { describe, it, expect } from 'vitest';
import { lastValueFrom, toArray, filter } from 'rxjs';
import { nn, optim } from '../../src/index';
import { accuracyCal, mseCal } from '../../src/train';
import { batches } from '../../src/rx/batches';
import { epochs } from '../../src/rx/epochs';
import { evaluate } from '../../src/rx/evaluate';
import { runningStats } from '../../src/rx/running-stats';
import { trainStep } from '../../src/rx/train-step';
import { marbles } from './marbles';
import { lessonData, model, mse, weights } from './helpers';

describe('evaluate', () => {
  it('replaces each epochEnd marker with the metric on train and test, in eval mode, then back to train mode', async () => {
    const { train, test } = lessonData();
    const m = model('pre');
    const seenModes: boolean[] = [];
    const metric = (loader: any, mod: nn.Module) => {
      seenModes.push(mod.training);
      return mseCal(loader, mod);
    };
    const events = await lastValueFrom(
      batches(train).pipe(
        epochs(2),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.03 }) }),
        evaluate({ model: m, loaders: { train, test }, metric, name: 'pre' }),
        toArray(),
      ),
    );
    expect(events.map((e) => e.kind)).toEqual([...Array(5).fill('step'), 'epoch', ...Array(5).fill('step'), 'epoch']);
    expect(seenModes).toEqual([false, false, false, false]);
    expect(m.training).toBe(true);
    // The last epoch's numbers are the eval-mode MSE of the trained model, and computing them moved no running statistic.
    const before = weights(m);
    m.eval();
    const last = events[events.length - 1];
    expect(last).toEqual({ kind: 'epoch', model: 'pre', epoch: 2, train: mse(train, m), test: mse(test, m) });
    m.train();
    expect(weights(m)).toEqual(before);
  });

  it('only shapes the stream around the marker (marbles)', () => {
    marbles().run(({ cold, expectObservable }) => {
      const m = new nn.MLP({ bn: 'none' });
      const loaders = { train: [] as any, test: [] as any };
      const src = cold('-s-e-s-e|', {
        s: { kind: 'step', epoch: 1, step: 1, loss: 1, batchSize: 1 } as const,
        e: { kind: 'epochEnd', epoch: 1, steps: 1 } as const,
      });
      const metric = (l: unknown) => (l === loaders.train ? 0.5 : 0.25);
      expectObservable(src.pipe(evaluate({ model: m, loaders, metric }))).toBe('-s-x-s-x|', {
        s: { kind: 'step', epoch: 1, step: 1, loss: 1, batchSize: 1 },
        x: { kind: 'epoch', epoch: 1, train: 0.5, test: 0.25 },
      });
    });
  });

  it('a throwing metric errors naming the epoch and restores train mode', async () => {
    const { train, test } = lessonData();
    const m = model('pre');
    const bad = () => {
      throw new Error('metric exploded');
    };
    await expect(
      lastValueFrom(
        batches(train).pipe(
          epochs(1),
          trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.03 }) }),
          evaluate({ model: m, loaders: { train, test }, metric: bad }),
        ),
      ),
    ).rejects.toThrow('epoch 1, step 5: metric exploded');
    expect(m.training).toBe(true);
  });

  it('accepts accuracyCal (a Tensor) and a user function returning a number', async () => {
    const { train, test } = lessonData();
    const m = new nn.MLP({ bn: 'pre', outFeatures: 3 });
    const src = batches(train).pipe(
      epochs(1),
      filter((e) => e.kind === 'epochEnd'),
    );
    const [acc] = await lastValueFrom(
      src.pipe(evaluate({ model: m, loaders: { train, test }, metric: () => 0.125 }), toArray()),
    );
    expect(acc).toEqual({ kind: 'epoch', epoch: 1, train: 0.125, test: 0.125 });
    expect(typeof accuracyCal).toBe('function');
  });
});

describe('runningStats', () => {
  it("after every step, a copy of each BatchNorm layer's running statistics, converging step by step", async () => {
    const { train } = lessonData();
    const m = model('pre');
    const bn = m.namedModules().find(([n]) => n === 'normalize1')![1] as nn.BatchNorm1d;
    const live: number[][] = [];
    const events = await lastValueFrom(
      batches(train).pipe(
        epochs(2),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.03 }) }),
        runningStats(m),
        toArray(),
      ),
    );
    const stats = events.filter((e) => e.kind === 'runningStats');
    expect(stats).toHaveLength(10);
    expect(stats.map((s) => (s.kind === 'runningStats' ? s.layers[0].numBatchesTracked : 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const lastStats = stats[9];
    if (lastStats.kind !== 'runningStats') throw new Error();
    expect(lastStats.layers[0].name).toBe('normalize1');
    expect(lastStats.layers[0].runningMean).toEqual(Array.from(bn.runningMean!.data));
    expect(lastStats.layers[0].runningVar).toEqual(Array.from(bn.runningVar!.data));
    // Each event follows its step event, and holds that step's values (copies, not live views).
    expect(events.map((e) => e.kind).slice(0, 4)).toEqual(['step', 'runningStats', 'step', 'runningStats']);
    live.push(...stats.map((s) => (s.kind === 'runningStats' ? s.layers[0].runningMean! : [])));
    expect(live[0]).not.toEqual(live[9]);
  });

  it('a model without BatchNorm gives events with no layers', async () => {
    const { train } = lessonData();
    const m = model('none');
    const events = await lastValueFrom(
      batches(train).pipe(
        epochs(1),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.03 }) }),
        runningStats(m),
        toArray(),
      ),
    );
    expect(
      events.filter((e) => e.kind === 'runningStats').every((e) => e.kind === 'runningStats' && e.layers.length === 0),
    ).toBe(true);
  });
});
