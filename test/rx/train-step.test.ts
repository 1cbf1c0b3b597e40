import { describe, it, expect } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { nn, optim, tensor } from '../../src/index';
import { batches } from '../../src/rx/batches';
import { epochs } from '../../src/rx/epochs';
import { trainStep } from '../../src/rx/train-step';
import { TrainingError } from '../../src/rx/errors';
import { lessonData, model, plainEpoch, weights, rngState } from './helpers';

describe('trainStep', () => {
  it('two epochs equal the plain loop exactly: losses, weights, running statistics', async () => {
    const a = lessonData();
    const ma = model('pre');
    const oa = new optim.SGD(ma.parameters(), { lr: 0.03 });
    const expected = [...plainEpoch(ma, a.train, oa), ...plainEpoch(ma, a.train, oa)];

    const b = lessonData();
    const mb = model('pre');
    const ob = new optim.SGD(mb.parameters(), { lr: 0.03 });
    const events = await lastValueFrom(
      batches(b.train).pipe(
        epochs(2),
        trainStep({ model: mb, criterion: new nn.MSELoss(), optimizer: ob, name: 'pre' }),
        toArray(),
      ),
    );
    const steps = events.filter((e) => e.kind === 'step');
    expect(steps.map((e) => (e.kind === 'step' ? e.loss : 0))).toEqual(expected);
    expect(weights(mb)).toEqual(weights(ma));
    expect(weights(mb)['normalize1.num_batches_tracked']).toBe(10);
    expect(steps[0]).toEqual({ kind: 'step', model: 'pre', epoch: 1, step: 1, loss: expected[0], batchSize: 10 });
    expect(steps[4]).toMatchObject({ epoch: 1, step: 5, batchSize: 2 });
    // The epoch marker passes through for evaluate.
    expect(events.filter((e) => e.kind === 'epochEnd')).toEqual([
      { kind: 'epochEnd', epoch: 1, steps: 5 },
      { kind: 'epochEnd', epoch: 2, steps: 5 },
    ]);
  });

  it('is cold: nothing trains and nothing is drawn until subscription', () => {
    const { train } = lessonData();
    const m = model();
    const before = weights(m);
    const rng = rngState();
    batches(train).pipe(
      epochs(3),
      trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }),
    );
    expect(weights(m)).toEqual(before);
    expect(rngState()).toBe(rng);
  });

  it('a NaN loss errors with epoch, step and cause, before the update', async () => {
    const { train } = lessonData();
    const m = model();
    let calls = 0;
    const nanAtThird = {
      forward: (yhat: any, y: any) => {
        calls++;
        return calls === 3 ? tensor([NaN]).reshape([]) : new nn.MSELoss().forward(yhat, y);
      },
    };
    const opt = new optim.SGD(m.parameters(), { lr: 0.03 });
    let snapshot: Record<string, unknown> = {};
    const err = await lastValueFrom(
      batches(train, { scheduler: null }).pipe(
        epochs(1),
        trainStep({ model: m, criterion: nanAtThird, optimizer: opt, name: 'bad' }),
      ),
    ).then(
      () => null,
      (e) => e,
    );
    snapshot = weights(m);
    expect(err).toBeInstanceOf(TrainingError);
    expect(err.message).toBe(
      "epoch 1, step 3 (model 'bad'): loss is NaN; stopped before the update, the weights are unchanged",
    );
    expect([err.epoch, err.step]).toEqual([1, 3]);
    // Two updates happened, the third did not: replay two plain steps from the same start.
    const { train: again } = lessonData();
    const ref = model();
    const ro = new optim.SGD(ref.parameters(), { lr: 0.03 });
    const it = again[Symbol.iterator]();
    for (let i = 0; i < 3; i++) {
      const [X, y] = it.next().value!;
      if (i === 2) break; // the third step is undone whole: no update, running stats put back
      const out = ref.forward(X);
      const loss = new nn.MSELoss().forward(out, y);
      ro.zeroGrad();
      loss.backward();
      ro.step();
    }
    expect(snapshot).toEqual(weights(ref));
  });

  it('a NaN feature leaves every state-dict entry as it was, BatchNorm running statistics included', async () => {
    const m = model('pre');
    const before = weights(m);
    const X = tensor(Float32Array.from([1, 2, NaN, 0.5, -1, 3]), { shape: [3, 2] });
    const y = tensor(Float32Array.from([1, 2, 3]), { shape: [3, 1] });
    const err = await lastValueFrom(
      batches([[X, y]], { scheduler: null }).pipe(
        epochs(1),
        trainStep({ model: m, criterion: new nn.MSELoss(), optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }),
      ),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect(err.message).toBe('epoch 1, step 1: loss is NaN; stopped before the update, the weights are unchanged');
    expect(weights(m)).toEqual(before);
    expect(before['normalize1.num_batches_tracked']).toBe(0);
  });

  it('an infinite loss and a shape error end the stream naming where and why', async () => {
    const { train } = lessonData();
    const m = model();
    const inf = { forward: () => tensor([Infinity]).reshape([]) };
    await expect(
      lastValueFrom(
        batches(train).pipe(
          epochs(2),
          trainStep({ model: m, criterion: inf, optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }),
        ),
      ),
    ).rejects.toThrow('epoch 1, step 1: loss is Infinity');

    const wide = new nn.MLP({ inFeatures: 3, bn: 'pre' });
    const err = await lastValueFrom(
      batches(train).pipe(
        epochs(1),
        trainStep({
          model: wide,
          criterion: new nn.MSELoss(),
          optimizer: new optim.SGD(wide.parameters(), { lr: 0.1 }),
        }),
      ),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect(err.message).toMatch(/^epoch 1, step 1: .*\[10, 2\]/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a throwing user criterion is an error notification with its message', async () => {
    const { train } = lessonData();
    const m = model();
    const boom = {
      forward: () => {
        throw new Error('user criterion failed');
      },
    };
    await expect(
      lastValueFrom(
        batches(train).pipe(
          epochs(1),
          trainStep({ model: m, criterion: boom, optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) }),
        ),
      ),
    ).rejects.toThrow('epoch 1, step 1: user criterion failed');
  });
});
