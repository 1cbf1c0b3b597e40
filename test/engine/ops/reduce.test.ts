/**
 * Reductions against float64 references. rxnn accumulates in float64 and
 * rounds once (mean divides the rounded sum, a second rounding), so every
 * result is within float32 accuracy: |a - b| <= 1e-6 + 1e-6 |b|.
 */
import { describe, expect, it } from 'vitest';
import { noGrad, tensor, zeros } from '../../../src';
import { assertClose } from '../../helpers/gradcheck';
import { argmaxRef, maxRef, meanRef, normalValues, sumRef, varRef } from '../../helpers/reference';

const F32 = { atol: 1e-6, rtol: 1e-6 };
const shape = [3, 4, 5];
const xv = normalValues(60, 200, 0.5, 2);
const x = tensor(xv, { shape });

type Dim = number | number[] | undefined;
const dims: [Dim, number[], number[]][] = [
  // dim, shape without keepdim, shape with keepdim
  [undefined, [], [1, 1, 1]],
  [0, [4, 5], [1, 4, 5]],
  [1, [3, 5], [3, 1, 5]],
  [-1, [3, 4], [3, 4, 1]],
  [[0, 2], [4], [1, 4, 1]],
  [[-1, 0], [4], [1, 4, 1]],
  [[1, 2], [3], [3, 1, 1]],
  [[0, 1, 2], [], [1, 1, 1]],
];

describe('sum / mean / var: values and shapes', () => {
  for (const [dim, out, outKeep] of dims) {
    const axes = Array.isArray(dim)
      ? dim.map((d) => (d < 0 ? d + 3 : d))
      : dim === undefined
        ? undefined
        : dim < 0
          ? dim + 3
          : dim;
    it(`dim ${JSON.stringify(dim) ?? 'all'}`, () => {
      const s = x.sum(dim),
        sk = x.sum(dim, { keepdim: true });
      expect(s.shape).toEqual(out);
      expect(sk.shape).toEqual(outKeep);
      assertClose(s.data, sumRef(xv, shape, axes), F32, 'sum', s.shape);
      expect(Array.from(sk.data)).toEqual(Array.from(s.data));

      const m = x.mean(dim),
        mk = x.mean(dim, { keepdim: true });
      expect(m.shape).toEqual(out);
      expect(mk.shape).toEqual(outKeep);
      assertClose(m.data, meanRef(xv, shape, axes), F32, 'mean', m.shape);

      for (const unbiased of [true, false]) {
        const v = x.var(dim, { unbiased }),
          vk = x.var(dim, { unbiased, keepdim: true });
        expect(v.shape).toEqual(out);
        expect(vk.shape).toEqual(outKeep);
        assertClose(v.data, varRef(xv, shape, axes, unbiased ? 1 : 0), F32, `var unbiased=${unbiased}`, v.shape);
      }
    });
  }

  it('var is unbiased by default (torch.var), small exact cases', () => {
    const t = tensor([1, 2, 3, 4]);
    expect(t.var().item()).toBe(Math.fround(5 / 3));
    expect(t.var(undefined, { unbiased: false }).item()).toBe(1.25);
    expect(t.mean().item()).toBe(2.5);
    expect(t.sum().item()).toBe(10);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .var(1)
        .toArray(),
    ).toEqual([0.5, 0.5]);
  });

  it('var of one element: unbiased is nan, biased is 0 (as torch)', () => {
    // torch.tensor([1.]).var() -> nan; torch.tensor([1.]).var(unbiased=False) -> 0.
    expect(tensor([1]).var().item()).toBeNaN();
    expect(tensor([1]).var(undefined, { unbiased: false }).item()).toBe(0);
  });

  it('reductions of 0-d tensors over dim 0 (or -1) are the value itself, as torch', () => {
    // torch.tensor(2.).sum(0) -> 2.; .var(0, unbiased=False) -> 0.
    expect(tensor(2).sum(0).item()).toBe(2);
    expect(tensor(2).sum(-1).shape).toEqual([]);
    expect(tensor(2).var(0, { unbiased: false }).item()).toBe(0);
  });

  it('mean of a 0-d tensor over dim 0 is the value itself (torch.tensor(2.).mean(0) -> 2.), not nan', () => {
    expect(tensor(2).mean(0).item()).toBe(2);
    expect(tensor(2).mean(-1).item()).toBe(2);
  });

  it('an empty dim list reduces over every dim, as torch.sum(x, dim=[]) and torch.mean(x, dim=[])', () => {
    // torch.tensor([[1., 2], [3, 4]]).sum([]) -> tensor(10.); .mean([]) -> tensor(2.5000)
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(t.sum([]).shape).toEqual([]);
    expect(t.sum([]).item()).toBe(10);
    expect(t.mean([]).item()).toBe(2.5);
  });

  it('dims out of range or repeated throw, naming the op and the valid range', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // torch: Dimension out of range (expected to be in range of [-2, 1], but got 2)
    expect(() => m.sum(2)).toThrow('sum: dimension 2 out of range (expected to be in range of [-2, 1])');
    expect(() => m.mean(-3)).toThrow('mean: dimension -3 out of range (expected to be in range of [-2, 1])');
    expect(() => m.var(7)).toThrow('var: dimension 7 out of range');
    expect(() => m.max(2)).toThrow('max: dimension 2 out of range');
    expect(() => m.argmax(5)).toThrow('argmax: dimension 5 out of range');
    expect(() => m.sum(0.5)).toThrow('sum: dimension 0.5 out of range');
    // torch: dim 0 appears multiple times in the list of dims
    expect(() => m.sum([0, 0])).toThrow('sum: dim [0,0] appears multiple times in the list of dims');
    expect(() => m.mean([1, -1])).toThrow('appears multiple times');
  });
});

describe('max / argmax', () => {
  it("refuse to reduce no values, with PyTorch 1.13's messages; an empty non-reduced dim is fine", () => {
    expect(() => zeros(0).max()).toThrow(/max: Expected reduction dim to be specified for input.numel\(\) == 0/);
    expect(() => zeros(0).argmax()).toThrow(/argmax: Expected reduction dim to be specified/);
    expect(() => zeros(2, 0).max(1)).toThrow(/max: Expected reduction dim 1 to have non-zero size/);
    expect(() => zeros(2, 0).argmax(-1)).toThrow(/argmax: Expected reduction dim 1 to have non-zero size/);
    expect(zeros(0, 3).max(1).shape).toEqual([0]);
    expect(zeros(0, 3).argmax(1).shape).toEqual([0]);
  });

  it('values and shapes over a dim, over everything, with keepdim', () => {
    for (const dim of [0, 1, 2, -1]) {
      const ax = dim < 0 ? dim + 3 : dim;
      const m = x.max(dim),
        a = x.argmax(dim);
      expect(m.shape).toEqual(shape.filter((_, i) => i !== ax));
      expect(Array.from(m.data)).toEqual(maxRef(xv, shape, ax));
      expect(Array.from(a.data)).toEqual(argmaxRef(xv, shape, ax));
      expect(x.max(dim, { keepdim: true }).shape).toEqual(shape.map((d, i) => (i === ax ? 1 : d)));
      expect(x.argmax(dim, { keepdim: true }).shape).toEqual(shape.map((d, i) => (i === ax ? 1 : d)));
    }
    expect(x.max().shape).toEqual([]);
    expect(x.max().item()).toBe(Math.max(...xv));
    expect(x.argmax().item()).toBe(xv.indexOf(Math.max(...xv)));
  });

  it('argmax picks the first of equal maxima; the flat index without a dim', () => {
    // torch.tensor([[1., 5, 5], [7, 7, 2]]).argmax(1) -> [1, 0]; .argmax() -> 3
    const t = tensor([
      [1, 5, 5],
      [7, 7, 2],
    ]);
    expect(Array.from(t.argmax(1).data)).toEqual([1, 0]);
    expect(t.argmax().item()).toBe(3);
    // torch.tensor([[3., 1], [2, 5]]).max(0).values -> [3., 5.]
    expect(
      Array.from(
        tensor([
          [3, 1],
          [2, 5],
        ]).max(0).data,
      ),
    ).toEqual([3, 5]);
  });

  it('NaN wins, as torch (max nan, argmax the first nan)', () => {
    // torch.tensor([1., nan, 3]).max() -> nan; torch.tensor([1., nan, 3, nan]).argmax() -> 1
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(tensor([1, NaN, 3, NaN]).argmax().item()).toBe(1);
    expect(tensor([-Infinity, -Infinity]).max().item()).toBe(-Infinity);
  });

  it('max refuses a tensor that requires grad with a clear error; detach() and noGrad work', () => {
    const t = tensor([1, 3, 2], { requiresGrad: true });
    expect(() => t.max()).toThrow('max: not differentiable in rxnn; call it on x.detach() or inside noGrad');
    expect(() => t.mul(2).max(0)).toThrow('max: not differentiable in rxnn');
    expect(t.detach().max().item()).toBe(3);
    expect(noGrad(() => t.max()).item()).toBe(3);
    // argmax is not differentiable either, but returns indices without complaint (as torch)
    const a = t.argmax();
    expect(a.item()).toBe(1);
    expect(a.requiresGrad).toBe(false);
  });
});

describe('variance stability', () => {
  it('data with mean 1e4 and std 0.1: var equals the float64 answer from the same float32 data to float32 accuracy', () => {
    const data = normalValues(4096, 201, 1e4, 0.1);
    const t = tensor(data);
    const ref = varRef(data, [4096], undefined, 1)[0];
    expect(ref).toBeGreaterThan(0.008);
    expect(ref).toBeLessThan(0.012);
    const got = t.var().item();
    expect(Math.abs(got - ref)).toBeLessThanOrEqual(1e-6 * ref);
    expect(Math.abs(t.var(undefined, { unbiased: false }).item() - (ref * 4095) / 4096)).toBeLessThanOrEqual(
      1e-6 * ref,
    );
    // The mean is exact to float32 too.
    expect(Math.abs(t.mean().item() - meanRef(data, [4096])[0])).toBeLessThanOrEqual(1e4 * 2 ** -24);
  });

  it('the same along a dim, per row', () => {
    const data = normalValues(8 * 512, 202, 1e4, 0.1);
    const t = tensor(data, { shape: [8, 512] });
    assertClose(t.var(1).data, varRef(data, [8, 512], 1, 1), { rtol: 1e-6 }, 'var rows of mean 1e4');
  });
});
