import { describe, it, expect } from 'vitest';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { manualSeed, nn, optim, fit, mseCal, accuracyCal } from '../../src/index';
import { splitLoader, tensorGenReg, tensorGenCla } from '../../src/data';
import { compare$ } from '../../src/rx/compare';
import { modelComparison } from '../../src/rx/model-comparison';
import { modelTrainTest } from '../../src/rx/model-train-test';
import { source } from '../../src/rx/source';
import { split } from '../../src/rx/split';
import { trainTest$ } from '../../src/rx/train-test';
import { rngState, weights } from './helpers';

/** The lesson's setup: seeded data, split, then seeded models (smaller data keeps CI quick). */
function lesson(n = 200) {
  manualSeed(420);
  const [f, l] = tensorGenReg({ numExamples: n, w: [2, -1], bias: false, deg: 2 });
  const [train, test] = splitLoader(f, l, { batchSize: 10 });
  return { train, test };
}
const mlp = (bn: 'none' | 'pre' | 'post') => {
  manualSeed(24);
  return new nn.MLP({ bn });
};

describe('modelTrainTest / trainTest$', () => {
  it('equals the plain fit loop on the same seed, exactly (weights, running stats, per-epoch MSE)', async () => {
    const a = lesson();
    const ma = mlp('pre');
    const expected = { train: [] as number[], test: [] as number[] };
    for (let e = 0; e < 4; e++) {
      ma.train();
      await fit({
        model: ma,
        criterion: new nn.MSELoss(),
        optimizer: new optim.SGD(ma.parameters(), { lr: 0.03 }),
        loader: a.train,
        epochs: 1,
      });
      ma.eval();
      expected.train.push(mseCal(a.train, ma).item());
      expected.test.push(mseCal(a.test, ma).item());
    }
    ma.train();
    const rngAfterFit = rngState();

    const b = lesson();
    const mb = mlp('pre');
    const got = await modelTrainTest({
      model: mb,
      train: b.train,
      test: b.test,
      epochs: 4,
      optimizer: optim.SGD,
      lr: 0.03,
    });
    expect(got).toEqual(expected);
    expect(weights(mb)).toEqual(weights(ma));
    expect(rngState()).toBe(rngAfterFit);
  });

  it('takes an optimizer instance or a factory, and classification options', async () => {
    manualSeed(420);
    const [f, l] = tensorGenCla({ numExamples: 40 });
    const [train, test] = splitLoader(f, l, { batchSize: 10 });
    manualSeed(24);
    const m = new nn.MLP({ bn: 'pre', outFeatures: 3 });
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const r = await modelTrainTest({
      model: m,
      train,
      test,
      epochs: 3,
      optimizer: opt,
      criterion: new nn.CrossEntropyLoss(),
      cla: true,
      evaluate: accuracyCal,
    });
    expect(r.train).toHaveLength(3);
    expect(r.test.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(r.test[2]).toBeGreaterThan(0.5);
    const factory = await modelTrainTest({
      model: mlp('none'),
      ...lesson(60),
      epochs: 1,
      optimizer: (ps, lr) => new optim.SGD(ps, { lr }),
    });
    expect(factory.train[0]).toBeGreaterThan(0);
  });

  it('is cold, and a second subscription is a second run', async () => {
    const { train, test } = lesson(60);
    const m = mlp('pre');
    const before = weights(m);
    const rng = rngState();
    const run = trainTest$({ model: m, train, test, epochs: 1 });
    expect(weights(m)).toEqual(before);
    expect(rngState()).toBe(rng);
    const first = await lastValueFrom(run.pipe(filter((e) => e.kind === 'epoch')));
    const second = await lastValueFrom(run.pipe(filter((e) => e.kind === 'epoch')));
    expect(second).not.toEqual(first);
    expect(weights(m)['normalize1.num_batches_tracked']).toBe(2 * 5);
  });

  it('unsubscribing mid-epoch stops within one step and leaves the model consistent', async () => {
    const { train, test } = lesson(600);
    const m = mlp('pre');
    let steps = 0;
    const counting = new optim.SGD(m.parameters(), { lr: 0.03 });
    const step = counting.step.bind(counting);
    counting.step = () => {
      steps++;
      step();
    };
    await new Promise<void>((done) => {
      const sub = trainTest$({ model: m, train, test, epochs: 3, optimizer: counting }).subscribe((e) => {
        // Unsubscribe from a timer, as a UI or server would, after step 7 of epoch 2.
        if (e.kind === 'step' && e.epoch === 2 && e.step === 7) setImmediate(() => (sub.unsubscribe(), done()));
      });
    });
    const at = steps;
    const snapshot = weights(m);
    await new Promise((r) => setTimeout(r, 20));
    expect(steps).toBe(at);
    expect(at).toBeGreaterThanOrEqual(42 + 7);
    expect(at).toBeLessThanOrEqual(42 + 8);
    expect(weights(m)).toEqual(snapshot);
    // Consistent: the BatchNorm counter matches the updates made, every one whole.
    expect(snapshot['normalize1.num_batches_tracked']).toBe(at);
  });

  it('yields between batches: a timer keeps ticking while an epoch trains', async () => {
    const { train, test } = lesson(1000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const stepsSeen: number[] = [];
    await lastValueFrom(
      trainTest$({ model: mlp('pre'), train, test, epochs: 2 }).pipe(
        filter((e) => e.kind === 'step'),
        toArray(),
      ),
    ).then((s) => stepsSeen.push(s.length));
    clearInterval(timer);
    expect(stepsSeen).toEqual([140]);
    expect(ticks).toBeGreaterThan(0);
  });

  it('rejects bad options naming the argument and value', () => {
    const { train, test } = lesson(60);
    expect(() => trainTest$({ model: mlp('none'), train, test, epochs: -1 })).toThrow(
      'epochs: expected a non-negative integer, got -1',
    );
    expect(() => trainTest$({ model: mlp('none'), train: undefined as any, test })).toThrow('train: expected a loader');
    expect(() => trainTest$({ model: mlp('none'), train, test, optimizer: 42 as any })).toThrow(
      'optimizer: expected an optimizer',
    );
  });

  it('modelTrainTest rejects its Promise on bad options (the call itself never throws)', async () => {
    const { train, test } = lesson(60);
    await expect(modelTrainTest({ model: mlp('none'), train, test, epochs: -1 })).rejects.toThrow(
      'epochs: expected a non-negative integer, got -1',
    );
    await expect(modelTrainTest({ model: mlp('none'), train, test: undefined as any })).rejects.toThrow(
      'test: expected a loader',
    );
    await expect(modelTrainTest({ model: mlp('none'), train, test, optimizer: 42 as any })).rejects.toThrow(
      'optimizer: expected an optimizer',
    );
  });
});

describe('modelComparison / compare$', () => {
  it("equals the lesson's model_comparison loop (one pass per epoch), model by model, exactly", async () => {
    const names = ['none', 'pre', 'post'];
    const a = lesson();
    const ms = names.map((n) => mlp(n as 'none'));
    const opts = ms.map((m) => new optim.SGD(m.parameters(), { lr: 0.03 }));
    const expected = { train: names.map(() => [] as number[]), test: names.map(() => [] as number[]) };
    for (let e = 0; e < 3; e++) {
      for (let i = 0; i < ms.length; i++) {
        ms[i].train();
        await fit({ model: ms[i], criterion: new nn.MSELoss(), optimizer: opts[i], loader: a.train, epochs: 1 });
        ms[i].eval();
        expected.train[i].push(mseCal(a.train, ms[i]).item());
        expected.test[i].push(mseCal(a.test, ms[i]).item());
      }
    }
    const b = lesson();
    const mb = names.map((n) => mlp(n as 'none'));
    const got = await modelComparison({ models: mb, names, train: b.train, test: b.test, epochs: 3 });
    expect(got).toEqual(expected);
    mb.forEach((m, i) => expect(weights(m)).toEqual(weights(ms[i])));
  });

  it('emits events tagged with model names, in the lesson order', async () => {
    const { train, test } = lesson(60);
    const events = await lastValueFrom(
      compare$({ models: [mlp('none'), mlp('pre')], names: ['a', 'b'], train, test, epochs: 2, stats: true }).pipe(
        filter((e) => e.kind !== 'step'),
        toArray(),
      ),
    );
    const epochs = events.filter((e) => e.kind === 'epoch').map((e) => `${e.model}@${e.epoch}`);
    expect(epochs).toEqual(['a@1', 'b@1', 'a@2', 'b@2']);
    const stats = events.filter((e) => e.kind === 'runningStats');
    expect(new Set(stats.map((s) => s.model))).toEqual(new Set(['a', 'b']));
  });

  it('checks models, names and optimizers', () => {
    const { train, test } = lesson(60);
    expect(() => compare$({ models: [], train, test })).toThrow('models: expected a non-empty array');
    expect(() => compare$({ models: [mlp('none')], names: ['x', 'y'], train, test })).toThrow(
      'names: expected 1 distinct names',
    );
    const m = mlp('none');
    expect(() =>
      compare$({ models: [m, mlp('pre')], optimizer: new optim.SGD(m.parameters(), { lr: 1 }), train, test }),
    ).toThrow('one instance cannot train several models');
  });

  it('modelComparison rejects its Promise on bad options (the call itself never throws)', async () => {
    const { train, test } = lesson(60);
    await expect(modelComparison({ models: [], train, test })).rejects.toThrow('models: expected a non-empty array');
    await expect(modelComparison({ models: undefined as any, train, test })).rejects.toThrow(
      'models: expected a non-empty array',
    );
    await expect(modelComparison({ models: [mlp('none')], names: ['x', 'y'], train, test })).rejects.toThrow(
      'names: expected 1 distinct names, got ["x","y"]',
    );
    await expect(modelComparison({ models: [mlp('none')], train, test, lr: -1 })).rejects.toThrow(
      'lr: expected a number >= 0, got -1',
    );
  });
});

describe('source and split', () => {
  it("draw the lesson's data and split lazily, on subscription", async () => {
    manualSeed(420);
    const [f, l] = tensorGenReg({ numExamples: 100, w: [2, -1], bias: false, deg: 2 });
    const [tr] = splitLoader(f, l, { batchSize: 10 });
    manualSeed(7);
    const s = source({ kind: 'reg', numExamples: 100, w: [2, -1], bias: false, deg: 2 }).pipe(split({ batchSize: 10 }));
    manualSeed(420);
    const { train, test } = await firstValueFrom(s);
    expect((train.dataset as any).indices).toEqual((tr.dataset as any).indices);
    expect([(train.dataset as any).length, (test.dataset as any).length]).toEqual([70, 30]);
  });

  it('reads tensors and classification data; a bad spec or split is an error notification', async () => {
    manualSeed(1);
    const [f, l] = await firstValueFrom(source({ kind: 'cla', numExamples: 5 }));
    expect(f.shape).toEqual([15, 2]);
    const [f2] = await firstValueFrom(source({ kind: 'tensors', features: f, labels: l }));
    expect(f2).toBe(f);
    await expect(firstValueFrom(source({ kind: 'nope' } as any))).rejects.toThrow(
      "source: expected a CSV path or {kind: 'reg' | 'cla' | 'csv' | 'tensors', …}",
    );
    await expect(firstValueFrom(source('x.csv'))).rejects.toThrow('source: a CSV source needs options.target');
    await expect(
      firstValueFrom(source({ kind: 'tensors', features: f, labels: l }).pipe(split({ rate: 2 }))),
    ).rejects.toThrow('rate must be in (0, 1), got 2');
  });
});

describe('first values arrive before the run ends', () => {
  it('take(1) on a long run returns after one step', async () => {
    const { train, test } = lesson(1000);
    const m = mlp('pre');
    const first = await firstValueFrom(trainTest$({ model: m, train, test, epochs: 50 }).pipe(take(1)));
    expect(first).toMatchObject({ kind: 'step', epoch: 1, step: 1 });
    expect(weights(m)['normalize1.num_batches_tracked']).toBe(1);
  });
});
