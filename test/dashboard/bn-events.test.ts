import { filter, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { nn, tensor } from '../../src/index';
import { TensorDataset } from '../../src/data/dataset';
import { DataLoader } from '../../src/data/loader';
import { mseCal } from '../../src/train';
import { SGD } from '../../src/optim';
import { batches } from '../../src/rx/batches';
import { compare$ } from '../../src/rx/compare';
import { epochs } from '../../src/rx/epochs';
import type { RunningStatsEvent, TrainEvent, WarningEvent } from '../../src/rx/events';
import { runningStats } from '../../src/rx/running-stats';
import { trainStep } from '../../src/rx/train-step';
import { bnWarnings } from '../../src/rx/warnings';
import { lessonData, model } from '../rx/helpers';

const warningsOf = (evs: TrainEvent[]) => evs.filter((e): e is WarningEvent => e.kind === 'warning');

describe('runningStats with batch: true', () => {
  it("carries each step's batch mean and biased variance: with momentum 1 the running ones are exactly them", async () => {
    const { train } = lessonData();
    const m = model('pre');
    const bn = m.modules().find((x): x is nn.BatchNorm1d => x instanceof nn.BatchNorm1d)!;
    bn.momentum = 1;
    const optimizer = new SGD(m.parameters(), { lr: 0.03 });
    m.train();
    const evs = await lastValueFrom(
      batches(train, { scheduler: null }).pipe(
        epochs(2),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer }),
        runningStats(m, { batch: true }),
        filter((e): e is RunningStatsEvent => e.kind === 'runningStats'),
        toArray(),
      ),
    );
    expect(evs.length).toBe(10);
    for (const e of evs) {
      const l = e.layers[0];
      const size = e.step === 5 ? 2 : 10; // 42 rows in batches of 10: the fifth has 2
      expect(l.batchMean).toEqual(l.runningMean);
      // running_var = var_B * M / (M - 1) in float32: compare to float32 rounding.
      l.batchVar!.forEach((v, c) => expect(Math.fround((v * size) / (size - 1))).toBeCloseTo(l.runningVar![c], 5));
    }
    expect(bn.keepBatchStats).toBe(false);
    expect(bn.batchStats).toBe(null);
  });

  it('without batch, the events are as before: no batch fields, and the layer keeps nothing', async () => {
    const { train } = lessonData();
    const m = model('pre');
    const optimizer = new SGD(m.parameters(), { lr: 0.03 });
    const bn = m.modules().find((x): x is nn.BatchNorm1d => x instanceof nn.BatchNorm1d)!;
    const evs = await lastValueFrom(
      batches(train, { scheduler: null }).pipe(
        epochs(1),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer }),
        runningStats(m),
        filter((e): e is RunningStatsEvent => e.kind === 'runningStats'),
        toArray(),
      ),
    );
    expect(Object.keys(evs[0].layers[0]).sort()).toEqual(['name', 'numBatchesTracked', 'runningMean', 'runningVar']);
    expect(bn.batchStats).toBe(null);
  });
});

describe('bnWarnings', () => {
  const loader = (n: number, batchSize: number, dropLast = false) =>
    new DataLoader(
      new TensorDataset(
        tensor(
          new Float32Array(2 * n).map((_, i) => Math.sin(i)),
          { shape: [n, 2] },
        ),
        tensor(new Float32Array(n), { shape: [n, 1] }),
      ),
      { batchSize, dropLast },
    );

  it('finds a coming batch of one and a Keras-convention momentum before training, naming the layer and the fix', async () => {
    const m = new nn.MLP({ inFeatures: 2, hidden: [4], outFeatures: 1, bn: 'pre', momentum: 0.99 });
    const train = loader(21, 10);
    const evs = await lastValueFrom(
      compare$({ models: [m], names: ['keras'], train: loader(20, 10), test: train, epochs: 1, scheduler: null }).pipe(
        bnWarnings({ models: [m], names: ['keras'], train }),
        toArray(),
      ),
    );
    const ws = warningsOf(evs);
    expect(evs.indexOf(ws[0])).toBe(0);
    expect(ws.map((w) => [w.code, w.model, w.layer])).toEqual([
      ['batch-of-one', 'keras', 'normalize1'],
      ['keras-momentum', 'keras', 'normalize1'],
    ]);
    expect(ws[0].message).toContain('21 % 10 = 1');
    expect(ws[0].fix).toContain('dropLast: true');
    expect(ws[1].fix).toContain("PyTorch's equivalent is momentum 0.01");
  });

  it('stays quiet for a sound run: no warning for the lesson, nor for dropLast or a BatchNorm-free model', async () => {
    const { train, test } = lessonData();
    const models = [model('pre'), model('none')];
    const evs = await lastValueFrom(
      compare$({ models, names: ['pre', 'none'], train, test, epochs: 2, scheduler: null }).pipe(
        bnWarnings({ models, names: ['pre', 'none'], train: loader(21, 10, true) }),
        toArray(),
      ),
    );
    expect(warningsOf(evs)).toEqual([]);
  });

  it('catches a model evaluated in train mode (its running statistics moved while measuring)', async () => {
    const { train, test } = lessonData();
    const m = model('post');
    const sloppy = (l: unknown, net: nn.Module) => {
      net.train(); // the pitfall: evaluating without eval()
      return mseCal(l as never, net);
    };
    const evs = await lastValueFrom(
      compare$({ models: [m], names: ['post'], train, test, epochs: 2, evaluate: sloppy, scheduler: null }).pipe(
        bnWarnings({ models: [m], names: ['post'] }),
        toArray(),
      ),
    );
    const ws = warningsOf(evs);
    expect(ws.map((w) => [w.code, w.layer, w.epoch])).toEqual([['train-mode-eval', 'normalize1', 1]]);
    expect(ws[0].fix).toContain('model.eval()');
  });

  it('catches running statistics moving in a layer whose parameters are frozen', async () => {
    const { train, test } = lessonData();
    const m = model('pre');
    const bn = m.modules().find((x): x is nn.BatchNorm1d => x instanceof nn.BatchNorm1d)!;
    bn.weight!.requiresGrad = false;
    bn.bias!.requiresGrad = false;
    const evs = await lastValueFrom(
      compare$({ models: [m], names: ['frozen'], train, test, epochs: 1, scheduler: null }).pipe(
        bnWarnings({ models: [m], names: ['frozen'] }),
        toArray(),
      ),
    );
    const ws = warningsOf(evs);
    expect(ws.map((w) => [w.code, w.model, w.layer, w.epoch, w.step])).toEqual([
      ['frozen-stats-moving', 'frozen', 'normalize1', 1, 2],
    ]);
    expect(ws[0].fix).toContain('trackRunningStats: false');
  });
});
