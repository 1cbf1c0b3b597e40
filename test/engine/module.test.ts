import { describe, expect, it } from 'vitest';
import { cat, manualSeed, nn, optim, randn, tensor, zeros } from '../../src';
import { ops } from '../../src/tensor';

describe('nn.Module', () => {
  const net = () => {
    manualSeed(24);
    return new nn.MLP({ bn: 'pre', hidden: [4, 3] });
  };

  it('modules(): self first, then depth-first in registration order; children() direct only', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.ReLU(), new nn.Linear(3, 1)));
    expect(seq.modules().map((m) => m.constructor.name)).toEqual([
      'Sequential',
      'Linear',
      'Sequential',
      'ReLU',
      'Linear',
    ]);
    expect(seq.namedModules().map(([n]) => n)).toEqual(['', '0', '1', '1.0', '1.1']);
    expect(seq.children().map((m) => m.constructor.name)).toEqual(['Linear', 'Sequential']);
  });

  it('Sequential runs a module registered twice twice (PyTorch: Sequential(lin, lin)(x) is lin(lin(x)))', () => {
    // torch.manual_seed(0); lin = nn.Linear(3, 3); x = torch.randn(2, 3); nn.Sequential(lin, lin)(x)[0]
    manualSeed(0);
    const lin = new nn.Linear(3, 3);
    const x = randn(2, 3);
    const y = new nn.Sequential(lin, lin).forward(x);
    expect(Array.from(y.data.slice(0, 3), (v) => v.toFixed(5))).toEqual(['-0.19349', '-0.30423', '-0.43220']);
    expect(Array.from(y.data)).toEqual(Array.from(lin.forward(lin.forward(x)).data));
  });

  it('a module used twice is listed once (PyTorch 1.13: 0.weight,0.bias,3.weight,3.bias; 4 modules; 1 child)', () => {
    const l = new nn.Linear(2, 2);
    const s = new nn.Sequential(l, new nn.ReLU(), l, new nn.BatchNorm1d(2));
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(s.namedModules().map(([n]) => n)).toEqual(['', '0', '1', '3']);
    expect(s.modules()).toHaveLength(4);
    expect(new nn.Sequential(l, l).children()).toEqual([l]);
    expect(s.namedParameters('net').map(([n]) => n)[0]).toBe('net.0.weight');
    // state_dict keeps every key, as PyTorch's does.
    expect(Object.keys(s.stateDict())).toContain('2.weight');
  });

  it('train()/eval() propagate to every submodule', () => {
    const m = net();
    expect(m.modules().every((s) => s.training)).toBe(true);
    m.eval();
    expect(m.modules().map((s) => s.training)).toEqual([false, false, false, false, false, false]);
    m.train();
    expect(m.modules().every((s) => s.training)).toBe(true);
  });

  it('stateDict uses PyTorch key names and order; parameters() excludes buffers', () => {
    const m = net();
    expect(Object.keys(m.stateDict())).toEqual([
      'linear1.weight',
      'linear1.bias',
      'normalize1.weight',
      'normalize1.bias',
      'normalize1.running_mean',
      'normalize1.running_var',
      'normalize1.num_batches_tracked',
      'linear2.weight',
      'linear2.bias',
      'normalize2.weight',
      'normalize2.bias',
      'normalize2.running_mean',
      'normalize2.running_var',
      'normalize2.num_batches_tracked',
      'linear3.weight',
      'linear3.bias',
    ]);
    expect(m.parameters()).toHaveLength(10);
    expect(m.namedParameters().map(([n]) => n)).toContain('normalize2.bias');
  });

  it('loadStateDict copies in place (optimizer references stay valid) and round-trips through JSON', () => {
    const a = net(),
      b = new nn.MLP({ bn: 'pre', hidden: [4, 3] });
    const params = b.parameters();
    const json = JSON.parse(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(a.stateDict()).map(([k, v]) => [
            k,
            typeof v === 'number' ? v : { shape: v.shape, data: Array.from(v.data) },
          ]),
        ),
      ),
    );
    json['normalize1.num_batches_tracked'] = 5;
    b.loadStateDict(json);
    expect(b.parameters()).toEqual(params);
    expect(b.parameters().every((p, i) => p === params[i])).toBe(true);
    expect(b.parameters()[0].toArray()).toEqual(a.parameters()[0].toArray());
    expect((b.children()[1] as nn.BatchNorm1d).numBatchesTracked).toBe(5);
  });

  it('strict loadStateDict lists every problem in one error and changes nothing', () => {
    const m = net();
    const before = JSON.stringify(Object.values(m.stateDict()).map((v) => (typeof v === 'number' ? v : v.toArray())));
    const sd: Record<string, unknown> = { ...m.stateDict() };
    delete sd['linear2.bias'];
    sd['extra.weight'] = zeros(2);
    sd['linear1.weight'] = zeros(3, 3);
    let message = '';
    try {
      m.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Missing key(s) in state_dict: "linear2.bias"');
    expect(message).toContain('Unexpected key(s) in state_dict: "extra.weight"');
    expect(message).toContain(
      'size mismatch for linear1.weight: copying a param with shape [3, 3], the shape in current model is [4, 2]',
    );
    expect(JSON.stringify(Object.values(m.stateDict()).map((v) => (typeof v === 'number' ? v : v.toArray())))).toBe(
      before,
    );
    // Non-strict: loads what fits, reports the rest, but still refuses a wrong shape.
    delete sd['linear1.weight'];
    expect(m.loadStateDict(sd, { strict: false })).toEqual({
      missingKeys: ['linear1.weight', 'linear2.bias'],
      unexpectedKeys: ['extra.weight'],
    });
  });

  it("prints PyTorch's reprs", () => {
    expect(new nn.Linear(2, 4).toString()).toBe('Linear(in_features=2, out_features=4, bias=True)');
    expect(
      new nn.BatchNorm2d(3, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }).toString(),
    ).toBe('BatchNorm2d(3, eps=0.001, momentum=None, affine=False, track_running_stats=False)');
    expect(new nn.Sequential(new nn.Linear(2, 1, { bias: false }), new nn.ReLU()).toString()).toBe(
      'Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=False)\n  (1): ReLU()\n)',
    );
  });
});

describe('BatchNorm errors leave the layer unchanged', () => {
  const state = (bn: nn.BatchNorm) =>
    JSON.stringify([bn.runningMean!.toArray(), bn.runningVar!.toArray(), bn.numBatchesTracked]);

  it.each([
    ['expected 2D or 3D input (got 1D input)', () => new nn.BatchNorm1d(3), [3]],
    ['expected 2D or 3D input (got 4D input)', () => new nn.BatchNorm1d(3), [2, 3, 4, 5]],
    ['expected 4D input (got 3D input)', () => new nn.BatchNorm2d(3), [2, 3, 4]],
    ['expected input with 3 channels in dim 1, got 5 (input shape [4, 5])', () => new nn.BatchNorm1d(3), [4, 5]],
    [
      'Expected more than 1 value per channel when training, got input size [1, 3]',
      () => new nn.BatchNorm1d(3),
      [1, 3],
    ],
  ] as const)('%s', (message, make, shape) => {
    const bn = make();
    bn.forward(
      tensor([
        [1, 2, 3],
        [4, 5, 7],
      ]).reshape(bn instanceof nn.BatchNorm2d ? [2, 3, 1, 1] : [2, 3]),
    );
    const before = state(bn);
    expect(() => bn.forward(zeros(...shape))).toThrow(message);
    expect(state(bn)).toBe(before);
  });

  it('rejects bad options naming the argument and value', () => {
    expect(() => new nn.BatchNorm1d(0)).toThrow('BatchNorm1d: numFeatures must be a positive integer, got 0');
    expect(() => new nn.BatchNorm1d(3, { momentum: 2 })).toThrow(
      'BatchNorm1d: momentum must be in [0, 1] or null, got 2',
    );
    expect(() => new nn.BatchNorm1d(3, { eps: -1 })).toThrow('BatchNorm1d: eps must be a positive number, got -1');
    expect(() => new nn.MLP({ bn: 'middle' as never })).toThrow(
      `MLP: bn must be 'none', 'pre' or 'post', got "middle"`,
    );
    expect(() => new nn.MLP({ hidden: [4, 0] })).toThrow('MLP: hidden must be a list of positive integers, got [4,0]');
  });
});

describe('losses and SGD', () => {
  it('mseLoss refuses mismatched shapes instead of broadcasting [N,1] against [N]', () => {
    expect(() => new nn.MSELoss().forward(zeros(4, 1), zeros(4))).toThrow(
      'mseLoss: input shape [4, 1] and target shape [4] must match',
    );
  });

  it('crossEntropy takes float or integer class indices as [N] or [N, 1] and names a bad target', () => {
    const x = tensor([
      [1, 2, 3],
      [1, 0, -1],
    ]);
    const a = new nn.CrossEntropyLoss().forward(x, tensor([2, 0])).item();
    expect(new nn.CrossEntropyLoss().forward(x, tensor([[2], [0]])).item()).toBe(a);
    // -(log softmax([1,2,3])[2] + log softmax([1,0,-1])[0]) / 2, in float64
    const lse = (v: number[]) => Math.log(v.reduce((s, z) => s + Math.exp(z), 0));
    expect(a).toBeCloseTo((lse([1, 2, 3]) - 3 + (lse([1, 0, -1]) - 1)) / 2, 6);
    expect(() => new nn.CrossEntropyLoss().forward(x, tensor([2, 3]))).toThrow(
      'crossEntropy: target[1] = 3 is not a class index in [0, 2]',
    );
    expect(() => new nn.CrossEntropyLoss().forward(x, tensor([0.5, 1]))).toThrow('target[0] = 0.5');
  });

  it('SGD validates its options', () => {
    const p = new nn.Linear(2, 1).parameters();
    expect(() => new optim.SGD(p, { lr: -1 })).toThrow('SGD: Invalid learning rate: -1');
    expect(() => new optim.SGD(p, { lr: 0.1, momentum: -0.5 })).toThrow('Invalid momentum value: -0.5');
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('empty parameter list');
  });
});

describe('backward frees the graph, as PyTorch does', () => {
  it("a second backward through a node that saved tensors throws PyTorch's error and changes nothing", () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([4]);
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
    expect(Array.from(x.grad!.data)).toEqual([4]);
  });

  it('retainGraph keeps it: the second backward accumulates; the options may come first', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward({ retainGraph: true });
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([12]);
    expect(() => y.backward(3 as never)).toThrow(/grad must be a Tensor of shape \[\] \(or options\), got number/);
  });

  it('mean over dims keeps its input, as PyTorch 1.13 (a second backward throws); mean of all does not', () => {
    const w = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const all = w.mean();
    all.backward();
    expect(() => all.backward()).not.toThrow();
    const rows = w.mean(1).sum();
    rows.backward();
    expect(() => rows.backward()).toThrow(/backward through the graph a second time/);
  });

  it('graphs of rules that save nothing (add, sub, neg, sum, mean, reshape, expand, cat, clone, permute) may run again, as in PyTorch', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = cat([ops.expand(x.add(1).neg().reshape(2, 1).T.clone(), [3, 2]).sub(1).reshape(6), x]).mean();
    y.backward();
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([-0.5, -0.5]); // PyTorch 1.13: tensor([-0.5000, -0.5000])
  });
});
