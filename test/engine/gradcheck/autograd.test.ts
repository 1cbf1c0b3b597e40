/** Autograd behaviour: accumulation into .grad, noGrad, graph shape, explicit seeds, leaves and detach. */
import { describe, expect, it } from 'vitest';
import { cat, enableGrad, F, isGradEnabled, noGrad, tensor, Tensor } from '../../../src';
import { ops } from '../../../src/tensor';
import { gradcheck } from '../../helpers/gradcheck';
import { normalValues } from '../../helpers/reference';

const arr = (t: Tensor | null) => Array.from(t!.data);

describe('gradient accumulation', () => {
  it('two backward passes add into .grad, as PyTorch does', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.mul(x).sum().backward(); // 2x
    expect(arr(x.grad)).toEqual([2, -4, 1]);
    x.mul(3).sum().backward(); // + 3
    expect(arr(x.grad)).toEqual([5, -1, 4]);
    x.exp().sum().backward(); // + exp(x)
    expect(arr(x.grad)).toEqual([5, -1, 4].map((g, i) => Math.fround(g + Math.fround(Math.exp([1, -2, 0.5][i])))));
  });

  it('a parameter used by two losses summed before backward gets the same total', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.mul(x).sum().add(x.mul(3).sum()).backward();
    expect(arr(x.grad)).toEqual([5, -1, 4]);
  });

  it('setting .grad to null starts over (optimizer.zeroGrad with set_to_none)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.sum().backward();
    x.grad = null;
    x.mul(2).sum().backward();
    expect(arr(x.grad)).toEqual([2, 2]);
  });

  it('a first .grad is a copy: later accumulation does not write into the seed', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seed = tensor([0.5, 0.25]);
    x.backward(seed);
    x.backward(seed);
    expect(arr(x.grad)).toEqual([1, 0.5]);
    expect(arr(seed)).toEqual([0.5, 0.25]);
  });
});

describe('graph structure', () => {
  it('a diamond (y used twice downstream) sums both paths', () => {
    gradcheck({
      name: 'diamond',
      inputs: [{ values: normalValues(4, 100), shape: [4] }],
      rxnn: ([x]) => {
        const y = x.mul(2).tanh();
        return y.mul(y).add(y.exp());
      },
      ref: ([x]) =>
        x.map((v) => {
          const y = Math.tanh(2 * v);
          return y * y + Math.exp(y);
        }),
    });
  });

  it('explicit seed gradient for a non-scalar output', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    x.mul(x).backward(
      tensor([
        [1, 0],
        [0.5, -1],
      ]),
    );
    expect(arr(x.grad)).toEqual([2, 0, 3, -8]);
  });

  it('backward of a non-scalar without a seed, or with a wrongly shaped seed, or of a constant, throws', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(
      'backward: grad can be implicitly created only for scalar outputs (shape [2])',
    );
    expect(() => x.mul(2).backward(tensor([1, 2, 3]))).toThrow(
      'backward: grad shape [3] does not match tensor shape [2]',
    );
    expect(() => tensor([1, 2]).sum().backward()).toThrow('backward: tensor does not require grad and has no grad_fn');
  });

  it('one-element non-0-d outputs may call backward() without a seed', () => {
    const x = tensor([3], { requiresGrad: true });
    x.mul(x).backward();
    expect(arr(x.grad)).toEqual([6]);
  });

  it('intermediate tensors do not keep .grad; inputs without requiresGrad get none', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    const y = x.mul(c);
    y.sum().backward();
    expect(y.grad).toBeNull();
    expect(c.grad).toBeNull();
    expect(arr(x.grad)).toEqual([3, 4]);
    expect(y.isLeaf).toBe(false);
    expect(x.isLeaf).toBe(true);
  });

  it('detach cuts the graph: the detached branch contributes no gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    x.mul(d).sum().backward(); // d(x * const)/dx = const
    expect(arr(x.grad)).toEqual([1, 2]);
  });

  it('a deep chain (20000 ops) backpropagates without overflowing the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([1]);
  });

  it('records grad_fn names as PyTorch does', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const names: [Tensor, string][] = [
      [x.add(1), 'AddBackward0'],
      [x.sub(1), 'SubBackward0'],
      [x.mul(2), 'MulBackward0'],
      [x.div(2), 'DivBackward0'],
      [x.pow(2), 'PowBackward0'],
      [x.neg(), 'NegBackward0'],
      [x.exp(), 'ExpBackward0'],
      [x.log(), 'LogBackward0'],
      [x.sqrt(), 'SqrtBackward0'],
      [x.relu(), 'ReluBackward0'],
      [x.sigmoid(), 'SigmoidBackward0'],
      [x.tanh(), 'TanhBackward0'],
      [x.sum(), 'SumBackward0'],
      [x.sum(0), 'SumBackward1'],
      [x.mean(), 'MeanBackward0'],
      [x.mean(1), 'MeanBackward1'],
      [x.matmul(x), 'MmBackward0'],
      [x.view(4), 'ViewBackward0'],
      [x.transpose(0, 1), 'TransposeBackward0'],
      [x.permute(1, 0), 'PermuteBackward0'],
      [x.indexSelect([0]), 'IndexSelectBackward0'],
      [x.clone(), 'CloneBackward0'],
      [x.softmax(1), 'SoftmaxBackward0'],
      [x.logSoftmax(1), 'LogSoftmaxBackward0'],
      [x.var(), 'VarBackward0'],
      [x.var(0), 'VarBackward0'],
      [cat([x, x]), 'CatBackward0'],
      [ops.expand(x, [2, 2, 2]), 'ExpandBackward0'],
      [F.linear(x, x), 'MmBackward0'],
      [F.linear(x, x, x.indexSelect([0]).reshape(2)), 'AddmmBackward0'],
      [F.mseLoss(x, x.detach()), 'MseLossBackward0'],
      [F.crossEntropy(x, tensor([0, 1])), 'NllLossBackward0'],
      [F.batchNorm(x, null, null, null, null, true), 'NativeBatchNormBackward0'],
    ];
    // (the python that made the names: type(t.grad_fn).__name__ for the same expressions in torch 1.13)
    for (const [t, name] of names) {
      expect(t.gradFn?.name).toBe(name);
      expect(t.requiresGrad).toBe(true);
    }
  });
});

describe('noGrad', () => {
  it('records no graph: results have requiresGrad false and no gradFn', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const ys = noGrad(() => [x.mul(2), x.exp().sum(), x.softmax(0), x.reshape(3, 1), x.var(), x.indexSelect([0, 0])]);
    for (const y of ys) {
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBeNull();
    }
    expect(() => ys[1].backward()).toThrow('does not require grad');
    expect(x.grad).toBeNull();
    expect(arr(ys[0])).toEqual([2, 4, 6]);
  });

  it('returns its value, restores the mode after a throw, and nests with enableGrad', () => {
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => isGradEnabled())).toBe(false);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => enableGrad(() => x.mul(2)));
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe('MulBackward0');
    expect(noGrad(() => noGrad(() => 1) + (isGradEnabled() ? 1 : 0))).toBe(1);
    expect(isGradEnabled()).toBe(true);
  });

  it('a value computed under noGrad is a constant in a later graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = noGrad(() => x.mul(x));
    x.mul(c).sum().backward();
    expect(arr(x.grad)).toEqual([1, 4]);
  });
});
