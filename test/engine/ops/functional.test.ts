/**
 * Forward values of matmul, F.linear, softmax/logSoftmax, the losses and
 * F.batchNorm against float64 references.
 * Tolerances: matmul and linear may accumulate in float32 (BLAS sgemm does, and
 * so do PyTorch and rxnn's wasm path for large products), erring by up to about
 * k 2^-24 sum_p |a_ip b_pj|; for O(1) data and k <= 64 that stays under
 * |a - b| <= 1e-5 + 1e-5 |b| (the small-product loop, float64 then one
 * rounding, is far inside it). softmax, logSoftmax, crossEntropy and batchNorm chain several float32
 * roundings and an exp/log/sqrt (see elementwise.test.ts for why those are
 * not exact), so they get |a - b| <= 1e-6 + 1e-5 |b|, still float32-level.
 */
import { describe, expect, it } from 'vitest';
import { F, manualSeed, nn, randn, tensor } from '../../../src';
import { assertClose } from '../../helpers/gradcheck';
import {
  batchNormTrainRef,
  batchStatsRef,
  crossEntropyRef,
  linearRef,
  logSoftmaxRef,
  matmulRef,
  mseRef,
  normalizeRef,
  normalValues,
  sizeOf,
  softmaxRef,
  uniformValues,
} from '../../helpers/reference';

const F32 = { atol: 1e-6, rtol: 1e-6 };
const GEMM = { atol: 1e-5, rtol: 1e-5 };
const CHAINED = { atol: 1e-6, rtol: 1e-5 };
const rnd = (shape: number[], seed: number) => {
  const v = normalValues(sizeOf(shape), seed);
  return { v, t: tensor(v, { shape }) };
};

describe('matmul', () => {
  it('2-D, 1-D @ 2-D, 2-D @ 1-D, 1-D @ 1-D: values and shapes', () => {
    const a = rnd([7, 9], 400),
      b = rnd([9, 5], 401),
      u = rnd([9], 402),
      w = rnd([7], 403);
    const ab = a.t.matmul(b.t);
    expect(ab.shape).toEqual([7, 5]);
    assertClose(ab.data, matmulRef(a.v, b.v, 7, 9, 5), GEMM, 'mm', ab.shape);
    const ub = u.t.matmul(b.t);
    expect(ub.shape).toEqual([5]);
    assertClose(ub.data, matmulRef(u.v, b.v, 1, 9, 5), GEMM, 'vm');
    const au = a.t.matmul(u.t);
    expect(au.shape).toEqual([7]);
    assertClose(au.data, matmulRef(a.v, u.v, 7, 9, 1), GEMM, 'mv');
    const dot = u.t.matmul(u.t);
    expect(dot.shape).toEqual([]);
    assertClose(dot.data, matmulRef(u.v, u.v, 1, 9, 1), GEMM, 'dot');
    const wa = w.t.matmul(a.t);
    assertClose(wa.data, matmulRef(w.v, a.v, 1, 7, 9), GEMM, 'vm 2');
  });
  it('node names by rank, as PyTorch 1.13: Mm, Mv, Dot, and Squeeze for vector @ matrix', () => {
    const m = tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { requiresGrad: true },
      ),
      v = tensor([1, 2, 3], { requiresGrad: true });
    expect(m.matmul(m.T).gradFn?.name).toBe('MmBackward0');
    expect(m.matmul(v).gradFn?.name).toBe('MvBackward0');
    expect(v.matmul(v).gradFn?.name).toBe('DotBackward0');
    expect(tensor([1, 2], { requiresGrad: true }).matmul(m).gradFn?.name).toBe('SqueezeBackward3');
  });
  it('large products (past the small-loop threshold: [33, 64] @ [64, 17], and transposed operands)', () => {
    const a = rnd([33, 64], 404),
      b = rnd([64, 17], 405);
    assertClose(a.t.matmul(b.t).data, matmulRef(a.v, b.v, 33, 64, 17), GEMM, 'large mm', [33, 17]);
    const bt = b.t.T;
    assertClose(a.t.matmul(bt.T).data, matmulRef(a.v, b.v, 33, 64, 17), GEMM, 'large mm of transposed');
    const big = rnd([40, 64], 406),
      w = rnd([24, 64], 407),
      bias = rnd([24], 408);
    assertClose(
      F.linear(big.t, w.t, bias.t).data,
      linearRef(big.v, w.v, bias.v, 40, 64, 24),
      GEMM,
      'large linear',
      [40, 24],
    );
  });
  it('shape errors name both shapes', () => {
    // torch: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)
    expect(() => rnd([2, 3], 1).t.matmul(rnd([4, 5], 2).t)).toThrow(
      'matmul: shapes [2, 3] and [4, 5] cannot be multiplied (2x3 and 4x5)',
    );
    expect(() => rnd([3], 1).t.matmul(rnd([4], 2).t)).toThrow('matmul: shapes [3] and [4] cannot be multiplied');
    expect(() => rnd([2, 3, 4], 1).t.matmul(rnd([4, 5], 2).t)).toThrow(
      'matmul: expected 1-D or 2-D tensors, got shapes [2, 3, 4] and [4, 5]',
    );
    expect(() => tensor(2).matmul(rnd([4, 5], 2).t)).toThrow(
      'matmul: expected 1-D or 2-D tensors, got shapes [] and [4, 5]',
    );
  });
});

describe('F.linear', () => {
  const x = rnd([6, 4], 410),
    w = rnd([3, 4], 411),
    b = rnd([3], 412),
    x1 = rnd([4], 413);
  it('with and without bias, 2-D and 1-D input', () => {
    const y = F.linear(x.t, w.t, b.t);
    expect(y.shape).toEqual([6, 3]);
    assertClose(y.data, linearRef(x.v, w.v, b.v, 6, 4, 3), GEMM, 'linear', y.shape);
    assertClose(F.linear(x.t, w.t).data, linearRef(x.v, w.v, null, 6, 4, 3), GEMM, 'linear no bias');
    const y1 = F.linear(x1.t, w.t, b.t);
    expect(y1.shape).toEqual([3]);
    assertClose(y1.data, linearRef(x1.v, w.v, b.v, 1, 4, 3), GEMM, 'linear 1-D');
    expect(F.linear(x1.t, w.t).shape).toEqual([3]);
  });
  it('shape errors', () => {
    // torch: mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)
    expect(() => F.linear(rnd([2, 3], 1).t, rnd([4, 5], 2).t)).toThrow(
      'linear: input shape [2, 3] does not fit weight shape [4, 5]: mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)',
    );
    expect(() => F.linear(x.t, w.t, rnd([4], 3).t)).toThrow('linear: bias shape [4] does not match 3 output features');
    expect(() => F.linear(rnd([2, 3, 3], 1).t, w.t)).toThrow(
      'linear: input shape [2, 3, 3] does not fit weight shape [3, 4]: mat1 and mat2 shapes cannot be multiplied (6x3 and 4x3)',
    );
    expect(() => F.linear(tensor(1), w.t)).toThrow('both arguments to matmul need to be at least 1D');
  });
  it("[*, in] input gives [*, out], with PyTorch 1.13's values, gradients and node names", () => {
    // torch.manual_seed(0); l = nn.Linear(2, 4); x = torch.randn(2, 3, 2, requires_grad=True); l(x).pow(2).sum().backward()
    manualSeed(0);
    const l = new nn.Linear(2, 4);
    const x3 = randn(2, 3, 2).requiresGrad_();
    const y = l.forward(x3);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(y.gradFn?.name).toBe('ViewBackward0');
    expect(F.linear(x3, l.weight).gradFn?.name).toBe('UnsafeViewBackward0');
    const tol = { atol: 2e-6, rtol: 1e-5 };
    assertClose(
      y.data,
      [
        0.252996, -0.483729, -0.164643, 0.325202, -0.211941, 0.815598, -0.094291, -0.355053, 0.009458, 0.43961,
        -0.016689, -0.028574, 0.359268, 0.112937, 0.228306, 0.490071, -0.010537, 0.746668, 0.101302, -0.055192,
        0.081777, 0.322531, 0.011285, 0.078131,
      ],
      tol,
      'linear 3-D',
    );
    y.pow(2).sum().backward();
    assertClose(
      x3.grad!.data,
      [
        0.640931, 0.997603, -0.885773, -1.443528, -0.501898, -0.488729, -0.273346, 0.791121, -0.922613, -0.808578,
        -0.384616, -0.181753,
      ],
      tol,
      'dx',
    );
    assertClose(
      l.weight.grad!.data,
      [-0.187916, 1.447711, -4.246498, -0.636124, -0.598241, 0.329867, -0.002731, 1.944578],
      tol,
      'dw',
    );
    assertClose(l.bias!.grad!.data, [0.962041, 3.90723, 0.130541, 0.90917], tol, 'db');
  });
  it('node names of a single vector, as PyTorch: AddBackward0 with a bias, SqueezeBackward3 without', () => {
    const v = x1.t.detach().requiresGrad_();
    expect(F.linear(v, w.t, b.t).gradFn?.name).toBe('AddBackward0');
    expect(F.linear(v, w.t).gradFn?.name).toBe('SqueezeBackward3');
    expect(F.linear(x.t.detach().requiresGrad_(), w.t, b.t).gradFn?.name).toBe('AddmmBackward0');
  });
});

describe('softmax / logSoftmax', () => {
  const shape = [4, 6];
  const x = rnd(shape, 420);
  for (const dim of [0, 1, -1]) {
    it(`over dim ${dim}`, () => {
      const s = x.t.softmax(dim);
      assertClose(s.data, softmaxRef(x.v, shape, dim), CHAINED, `softmax ${dim}`, shape);
      assertClose(x.t.logSoftmax(dim).data, logSoftmaxRef(x.v, shape, dim), CHAINED, `logSoftmax ${dim}`, shape);
      const sums = s.sum(dim);
      sums.data.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-6));
    });
  }
  it('large logits do not overflow (the row max is subtracted first)', () => {
    // torch.tensor([[1000., 1001, 999]]).softmax(1) -> [[0.2447, 0.6652, 0.0900]]; log_softmax -> [[-1.4076, -0.4076, -2.4076]]
    const big = tensor([
      [1000, 1001, 999],
      [-1000, -1001, -999],
    ]);
    assertClose(
      big.softmax(1).data,
      softmaxRef([1000, 1001, 999, -1000, -1001, -999], [2, 3], 1),
      CHAINED,
      'softmax big',
    );
    assertClose(
      big.logSoftmax(1).data,
      logSoftmaxRef([1000, 1001, 999, -1000, -1001, -999], [2, 3], 1),
      CHAINED,
      'logSoftmax big',
    );
  });
  it('bad dims throw', () => {
    expect(() => x.t.softmax(2)).toThrow('softmax: dimension 2 out of range (expected to be in range of [-2, 1])');
    expect(() => x.t.logSoftmax(-3)).toThrow('logSoftmax: dimension -3 out of range');
  });
});

describe('losses', () => {
  it('mseLoss: mean of squared differences; shapes must match', () => {
    const a = rnd([5, 3], 430),
      b = rnd([5, 3], 431);
    const l = F.mseLoss(a.t, b.t);
    expect(l.shape).toEqual([]);
    assertClose(l.data, [mseRef(a.v, b.v)], F32, 'mse');
    expect(F.mseLoss(tensor([1, 2]), tensor([1, 2])).item()).toBe(0);
    // PyTorch would broadcast [2, 3] against [3] with a warning; rxnn refuses.
    expect(() => F.mseLoss(rnd([2, 3], 1).t, rnd([3], 2).t)).toThrow(
      'mseLoss: input shape [2, 3] and target shape [3] must match',
    );
  });
  it('crossEntropy: [N] and [N, 1] float targets give the same loss as the reference', () => {
    const logits = rnd([5, 4], 432);
    const targets = [3, 0, 1, 1, 2];
    const ref = crossEntropyRef(logits.v, 5, 4, targets);
    assertClose(F.crossEntropy(logits.t, tensor(targets)).data, [ref], CHAINED, 'ce [N]');
    assertClose(F.crossEntropy(logits.t, tensor(targets, { shape: [5, 1] })).data, [ref], CHAINED, 'ce [N,1]');
    // torch: F.cross_entropy(torch.tensor([[1000., 0, -1000], [0.5, 0.25, 0]]), torch.tensor([2, 0])) -> 1000.4347
    expect(
      F.crossEntropy(
        tensor([
          [1000, 0, -1000],
          [0.5, 0.25, 0],
        ]),
        tensor([2, 0]),
      ).item(),
    ).toBeCloseTo(1000.4347, 3);
  });
  it('crossEntropy: bad targets throw', () => {
    const logits = rnd([2, 3], 433).t;
    // torch: Target 3 is out of bounds.
    expect(() => F.crossEntropy(logits, tensor([0, 3]))).toThrow(
      'crossEntropy: target[1] = 3 is not a class index in [0, 2]',
    );
    expect(() => F.crossEntropy(logits, tensor([0.5, 1]))).toThrow(
      'crossEntropy: target[0] = 0.5 is not a class index in [0, 2]',
    );
    expect(() => F.crossEntropy(logits, tensor([-1, 1]))).toThrow('crossEntropy: target[0] = -1 is not a class index');
    expect(() => F.crossEntropy(logits, tensor([0, 1, 2]))).toThrow(
      'crossEntropy: target must have shape [2] or [2, 1] (class indices), got [3]',
    );
    expect(() => F.crossEntropy(logits, tensor([[0, 1]]))).toThrow(
      'crossEntropy: target must have shape [2] or [2, 1] (class indices), got [1, 2]',
    );
    expect(() => F.crossEntropy(rnd([3], 1).t, tensor([0]))).toThrow(
      'crossEntropy: input must have shape [N, C], got [3]',
    );
  });
  it('crossEntropy: a -inf logit in a non-target class (a masked class) gives a finite loss, as torch', () => {
    // torch: F.cross_entropy(torch.tensor([[0., -float('inf')]]), torch.tensor([0])) -> tensor(0.)
    expect(Math.abs(F.crossEntropy(tensor([[0, -Infinity]]), tensor([0])).item())).toBe(0);
    const x = tensor([[0.5, -Infinity, 1.5]], { requiresGrad: true });
    const l = F.crossEntropy(x, tensor([2]));
    expect(l.item()).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6);
    l.backward();
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });
});

describe('F.batchNorm', () => {
  for (const shape of [
    [8, 3],
    [4, 3, 5],
    [2, 3, 4, 4],
  ]) {
    it(`training [${shape}]: batch statistics, weight and bias; running stats updated with the unbiased variance`, () => {
      const c = shape[1],
        m = sizeOf(shape) / c;
      const x = rnd(shape, 440),
        w = uniformValues(c, 441, 0.5, 2),
        b = normalValues(c, 442);
      const rm = tensor(normalValues(c, 443)),
        rv = tensor(uniformValues(c, 444, 0.5, 2));
      const rm0 = Array.from(rm.data),
        rv0 = Array.from(rv.data);
      const y = F.batchNorm(x.t, rm, rv, tensor(w), tensor(b), true, 0.2);
      expect(y.shape).toEqual(shape);
      assertClose(y.data, batchNormTrainRef(x.v, shape, w, b), CHAINED, 'bn train', shape);
      const { mean, varBiased } = batchStatsRef(x.v, shape);
      assertClose(
        rm.data,
        rm0.map((r, ch) => 0.8 * r + 0.2 * mean[ch]),
        F32,
        'running_mean',
      );
      assertClose(
        rv.data,
        rv0.map((r, ch) => 0.8 * r + (0.2 * varBiased[ch] * m) / (m - 1)),
        F32,
        'running_var',
      );
      // Without affine parameters: each channel comes out with mean 0 and biased variance 1 - eps/(var + eps).
      const z = F.batchNorm(x.t, null, null, null, null, true);
      assertClose(z.data, batchNormTrainRef(x.v, shape, null, null), CHAINED, 'bn train no affine');
    });
    it(`training [${shape}]: a running statistic given alone is still updated (PyTorch's values)`, () => {
      // PyTorch 1.13: F.batch_norm(x, rm, None, training=True, momentum=0.5) moves rm; likewise rv alone.
      const x = tensor([
        [1, 2],
        [3, 6],
        [5, 1],
      ]);
      const rm = tensor([0, 0]),
        rv = tensor([1, 1]);
      F.batchNorm(x, rm, null, null, null, true, 0.5);
      expect(Array.from(rm.data)).toEqual([1.5, 1.5]);
      F.batchNorm(x, null, rv, null, null, true, 0.5);
      expect(Array.from(rv.data)).toEqual([2.5, 4]);
    });
    it(`eval [${shape}]: running statistics`, () => {
      const c = shape[1];
      const x = rnd(shape, 450),
        w = uniformValues(c, 451, 0.5, 2),
        b = normalValues(c, 452);
      const rmv = normalValues(c, 453),
        rvv = uniformValues(c, 454, 0.5, 2);
      const rm = tensor(rmv),
        rv = tensor(rvv);
      const y = F.batchNorm(x.t, rm, rv, tensor(w), tensor(b), false);
      assertClose(y.data, normalizeRef(x.v, shape, rmv, rvv, w, b, 1e-5), CHAINED, 'bn eval', shape);
      expect(Array.from(rm.data)).toEqual(rmv);
      expect(Array.from(rv.data)).toEqual(rvv);
      const e = F.batchNorm(x.t, rm, rv, null, null, false, 0.1, 1e-3);
      assertClose(e.data, normalizeRef(x.v, shape, rmv, rvv, null, null, 1e-3), CHAINED, 'bn eval eps', shape);
    });
  }
  it('running variance of data with mean 1e4 and std 0.1 is accurate (two-pass statistics)', () => {
    const v = normalValues(2 * 256, 460, 1e4, 0.1);
    const x = tensor(v, { shape: [256, 2] });
    const rm = tensor([0, 0]),
      rv = tensor([0, 0]);
    F.batchNorm(x, rm, rv, null, null, true, 1);
    const { mean, varBiased } = batchStatsRef(v, [256, 2]);
    assertClose(rm.data, mean, F32, 'mean');
    assertClose(
      rv.data,
      varBiased.map((s) => (s * 256) / 255),
      { rtol: 1e-6 },
      'unbiased var',
    );
  });
  it('argument errors, and a throwing call leaves the running stats alone', () => {
    const x = rnd([4, 3], 470).t;
    // torch: running_mean should contain 3 elements not 2
    expect(() => F.batchNorm(x, tensor([0, 0]), tensor([1, 1, 1]), null, null, true)).toThrow(
      'batchNorm: runningMean should contain 3 elements (one per channel of input shape [4, 3]), got 2',
    );
    expect(() => F.batchNorm(x, null, null, tensor([1, 1]), null, true)).toThrow(
      'batchNorm: weight should contain 3 elements',
    );
    // torch: Expected more than 1 value per channel when training, got input size torch.Size([1, 3])
    expect(() => F.batchNorm(rnd([1, 3], 1).t, null, null, null, null, true)).toThrow(
      'Expected more than 1 value per channel when training, got input size [1, 3]',
    );
    expect(() => F.batchNorm(x, null, null, null, null, false)).toThrow(
      'batchNorm: running_mean and running_var must be given when training is false',
    );
    expect(() => F.batchNorm(rnd([3], 1).t, null, null, null, null, true)).toThrow(
      'batchNorm: expected input with at least 2 dims [N, C, ...], got shape [3]',
    );
    const rm = tensor([1, 2, 3]),
      rv = tensor([1, 1, 1]);
    expect(() => F.batchNorm(x, rm, rv, tensor([1, 1]), null, true)).toThrow();
    expect(Array.from(rm.data)).toEqual([1, 2, 3]);
    expect(() => F.batchNorm(x, rm, rv, null, null, true, 0.1, 0)).toThrow(
      'batchNorm: expected eps > 0 and 0 <= momentum <= 1, got eps=0, momentum=0.1',
    );
    expect(Array.from(rm.data)).toEqual([1, 2, 3]);
  });
});
