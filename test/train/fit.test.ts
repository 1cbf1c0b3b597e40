/**
 * fit, mseCal and accuracyCal against the lesson's own PyTorch code (tools/lesson.py, run by
 * tools/gen_data_fixtures.py → test/fixtures/data-lesson.json): the lesson's data, split,
 * net_class1 with BN before the activation, 2 epochs of SGD, then the metrics in eval and in
 * train mode. Split indices, initial weights and stream positions are exact; trained
 * weights, statistics and losses are held to 1e-5 + 1e-4·|b| (float32 sums in another order).
 */
import { describe, expect, it } from 'vitest';
import {
  data,
  defaultGenerator,
  fit,
  mseCal,
  accuracyCal,
  manualSeed,
  nn,
  optim,
  tensor,
  type Tensor,
} from '../../src';
import { expectClose } from '../helpers/fixtures';
import { loadLesson } from '../data/helpers';

const lesson = loadLesson();

/** Compares a state dict with PyTorch's: same keys in the same order, tensors within the parity bar. */
function expectState(model: nn.Module, want: Record<string, any>, what: string, exact = false): void {
  const got = model.stateDict();
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, v] of Object.entries(want)) {
    if (typeof v === 'number') expect(got[k], `${what} ${k}`).toBe(v);
    else if (exact) expect(Array.from((got[k] as Tensor).data), `${what} ${k}`).toEqual(v.data.map(Math.fround));
    else expectClose(got[k] as Tensor, v, `${what} ${k}`);
  }
}

describe("the lesson's regression cells (tensorGenReg w=[2,-1], deg 2; BN-pre MLP; 2 epochs SGD lr 0.03)", () => {
  const r = lesson.regression;

  async function run() {
    manualSeed(r.seed);
    const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
    const [trainLoader, testLoader] = data.splitLoader(features, labels);
    manualSeed(r.netSeed);
    const net = new nn.MLP({ bn: 'pre' });
    const init = net.stateDict();
    const initCopy = Object.fromEntries(
      Object.entries(init).map(([k, v]) => [
        k,
        typeof v === 'number' ? v : { shape: [...v.shape], data: Array.from(v.data) },
      ]),
    );
    manualSeed(r.fitSeed);
    const done = fit({
      model: net,
      criterion: new nn.MSELoss(),
      optimizer: new optim.SGD(net.parameters(), { lr: r.lr }),
      loader: trainLoader,
      epochs: r.epochs,
    });
    expect(done).toBeInstanceOf(Promise);
    expect(await done).toBeUndefined();
    return { features, labels, trainLoader, testLoader, net, initCopy };
  }

  it("splitLoader: PyTorch's split, a shuffled train loader and an in-order test loader", () => {
    manualSeed(r.seed);
    const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
    const [trainLoader, testLoader] = data.splitLoader(features, labels);
    const train = trainLoader.dataset as data.Subset,
      test = testLoader.dataset as data.Subset;
    expect(train.indices).toEqual(r.split.train);
    expect(test.indices).toEqual(r.split.test);
    expect([trainLoader.batchSize, trainLoader.shuffle, testLoader.batchSize, testLoader.shuffle]).toEqual([
      10,
      true,
      10,
      false,
    ]);
    // The first epoch of the train loader is PyTorch's row order, batch by batch.
    const rows: number[] = r.firstEpochTrainRows;
    let b = 0;
    for (const [x, y] of trainLoader) {
      const ids = rows.slice(b * 10, b * 10 + 10);
      expect(Array.from(x.data)).toEqual(Array.from(features.indexSelect(ids).data));
      expect(Array.from(y.data)).toEqual(Array.from(labels.indexSelect(ids).data));
      b++;
    }
    expect(b).toBe(70);
    // The test loader keeps the split's order.
    const [x0] = testLoader[Symbol.iterator]().next().value as Tensor[];
    expect(Array.from(x0.data)).toEqual(Array.from(features.indexSelect(r.split.test.slice(0, 10)).data));
  });

  it("fit: PyTorch's initial weights (exact), trained state dict, and the stream after 2 epochs", async () => {
    const { net, initCopy } = await run();
    for (const [k, v] of Object.entries(r.init as Record<string, any>)) {
      if (typeof v === 'number') expect(initCopy[k]).toBe(v);
      else expect((initCopy[k] as any).data).toEqual(v.data.map(Math.fround));
    }
    expectState(net, r.state, 'after fit');
    expect(defaultGenerator.randomInt64().toString()).toBe(r.nextInt64AfterFit);
  });

  it('mseCal in eval mode on both loaders; in train mode it uses, and updates, batch statistics as PyTorch', async () => {
    const { net, trainLoader, testLoader } = await run();
    net.eval();
    const train = mseCal(trainLoader, net),
      test = mseCal(testLoader, net);
    expect(train.shape).toEqual([]);
    expect(train.requiresGrad).toBe(false);
    expectClose(train, { shape: [], data: [r.mseEval.train] }, 'train MSE (eval)');
    expectClose(test, { shape: [], data: [r.mseEval.test] }, 'test MSE (eval)');
    expectState(net, r.state, 'eval-mode mseCal changes nothing:');
    net.train();
    expectClose(mseCal(testLoader, net), { shape: [], data: [r.mseTrainModeTest] }, 'test MSE (train mode)');
    const sd = net.stateDict();
    expectClose(
      sd['normalize1.running_mean'] as Tensor,
      r.runningAfterTrainModeMse.running_mean,
      'running_mean after train-mode mseCal',
    );
    expectClose(
      sd['normalize1.running_var'] as Tensor,
      r.runningAfterTrainModeMse.running_var,
      'running_var after train-mode mseCal',
    );
    expect(sd['normalize1.num_batches_tracked']).toBe(r.runningAfterTrainModeMse.num_batches_tracked);
  });
});

describe("the lesson's classification cells (tensorGenCla; BN-pre MLP, 3 outputs; CrossEntropyLoss, cla)", () => {
  const c = lesson.classification;

  it('split, trained state and accuracyCal in train then eval mode match PyTorch', async () => {
    manualSeed(c.seed);
    const [features, labels] = data.tensorGenCla();
    const [trainLoader, testLoader] = data.splitLoader(features, labels);
    expect((trainLoader.dataset as data.Subset).indices).toEqual(c.split.train);
    expect((testLoader.dataset as data.Subset).indices).toEqual(c.split.test);
    manualSeed(c.netSeed);
    const net = new nn.MLP({ bn: 'pre', outFeatures: 3 });
    await fit({
      model: net,
      criterion: new nn.CrossEntropyLoss(),
      optimizer: new optim.SGD(net.parameters(), { lr: c.lr }),
      loader: trainLoader,
      epochs: c.epochs,
      cla: true,
    });
    expectState(net, c.state, 'after fit');
    const f32 = (v: number) => [Math.fround(v)];
    expect(Array.from(accuracyCal(testLoader, net).data)).toEqual(f32(c.accuracyTrainModeTest));
    net.eval();
    const acc = accuracyCal(trainLoader, net);
    expect(acc.shape).toEqual([]);
    expect(Array.from(acc.data)).toEqual(f32(c.accuracyEval.train));
    expect(Array.from(accuracyCal(testLoader, net).data)).toEqual(f32(c.accuracyEval.test));
  });
});

describe('accuracyCal and fit details', () => {
  it('accuracyCal counts argmax hits against [N, 1] or [N] labels', () => {
    const logits = tensor([
      [2, 1, 0],
      [0, 3, 1],
      [0, 0, 5],
      [4, 0, 0],
    ]);
    const identity = new (class extends nn.Module {
      forward(x: Tensor) {
        return x;
      }
    })();
    const loader = (y: Tensor) => ({ dataset: new data.TensorDataset(logits, y) });
    expect(accuracyCal(loader(tensor([[0], [1], [1], [0]])), identity).item()).toBe(0.75);
    expect(accuracyCal(loader(tensor([0, 1, 2, 0])), identity).item()).toBe(1);
    expect(() =>
      accuracyCal(
        loader(
          tensor([
            [0, 0],
            [1, 1],
            [2, 2],
            [0, 0],
          ]),
        ),
        identity,
      ),
    ).toThrow('4 predictions for 8 labels');
  });

  it('fit with epochs 0 does nothing, and each epoch iterates the loader once', async () => {
    const model = new nn.MLP();
    const before = JSON.stringify(
      Object.values(model.stateDict()).map((v) => (typeof v === 'number' ? v : Array.from(v.data))),
    );
    let epochs = 0;
    const loader = {
      *[Symbol.iterator]() {
        epochs++;
        yield [
          tensor([
            [1, 2],
            [3, 4],
          ]),
          tensor([[1], [2]]),
        ];
      },
    };
    const opts = {
      model,
      criterion: new nn.MSELoss(),
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      loader,
    };
    await fit({ ...opts, epochs: 0 });
    expect(epochs).toBe(0);
    expect(
      JSON.stringify(Object.values(model.stateDict()).map((v) => (typeof v === 'number' ? v : Array.from(v.data)))),
    ).toBe(before);
    await fit(opts);
    expect(epochs).toBe(3); // the lesson's default
    expect(model.stateDict()['normalize1.num_batches_tracked']).toBeUndefined(); // bn 'none' has no BatchNorm
  });
});
