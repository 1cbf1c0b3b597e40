/** Creating tensors (tensor, zeros, ones, full, arange) and reading them back (toArray, item). */
import { describe, expect, it } from 'vitest';
import { arange, full, ones, tensor, zeros } from '../../../src';

const vals = (t: { data: Float32Array }) => Array.from(t.data);

describe('tensor()', () => {
  it('from nested arrays: shape and row-major data, rounded to float32', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(vals(t)).toEqual([1, 2, 3, 4, 5, 6]);
    const t3 = tensor([
      [[1], [2]],
      [[3], [4]],
      [[5], [6]],
    ]);
    expect(t3.shape).toEqual([3, 2, 1]);
    expect(vals(t3)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.requiresGrad).toBe(false);
  });

  it('scalars, empty arrays', () => {
    const s = tensor(2.5);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(2.5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
  });

  it('from a flat array or typed array plus shape; the data is copied', () => {
    const flat = [1, 2, 3, 4, 5, 6];
    expect(tensor(flat, { shape: [3, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const src = Float32Array.of(1, 2, 3, 4);
    const t = tensor(src, { shape: [2, 2] });
    src[0] = 100;
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(vals(tensor(Float64Array.of(0.1, 0.2)))).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(tensor(Float32Array.of(1, 2, 3)).shape).toEqual([3]);
    expect(tensor([7], { shape: [] }).shape).toEqual([]);
    expect(tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('ragged nesting throws naming the path', () => {
    // torch: expected sequence of length 2 at dim 1 (got 1)
    expect(() => tensor([[1, 2], [3]])).toThrow(
      'tensor: ragged nested array: values[1] has shape [1] but values[0] has [2]',
    );
    expect(() =>
      tensor([
        [[1], [2]],
        [[3], [4, 5]],
      ]),
    ).toThrow('tensor: ragged nested array: values[1][1] has shape [2] but values[1][0] has [1]');
    expect(() => tensor([1, [2]] as never)).toThrow(
      'tensor: ragged nested array: values[1] has shape [1] but values[0] has []',
    );
    expect(() => tensor([[1, 2], 3] as never)).toThrow(
      /tensor: ragged nested array: values\[1\] has shape \[\] but values\[0\] has \[2\]/,
    );
  });

  it('non-numbers throw naming the path', () => {
    expect(() => tensor([1, 'a'] as never)).toThrow('tensor: values[1] must be a number, got "a"');
    expect(() =>
      tensor([
        [1, 2],
        [3, null],
      ] as never),
    ).toThrow('tensor: values[1][1] must be a number, got null');
    expect(() => tensor('x' as never)).toThrow(
      'tensor: values must be a number, nested arrays or a typed array, got string',
    );
  });

  it('a flat array that does not fill the shape, or a bad shape, throws', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: shape [2, 2] needs 4 values, got 3');
    expect(() => tensor([1, 2], { shape: [-2, -1] })).toThrow(
      'tensor: shape must be a list of non-negative integers, got [-2,-1]',
    );
  });

  it('nested arrays with a shape option are never silently read as NaN', () => {
    // 4 nested values cannot fill shape [2]: today each inner array becomes one NaN.
    expect(() =>
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { shape: [2] },
      ),
    ).toThrow(/shape/);
    // Filling the shape exactly: either reshaped row-major or rejected, but no NaN.
    let t;
    try {
      t = tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { shape: [4] },
      );
    } catch {
      t = null;
    }
    if (t) expect(vals(t)).toEqual([1, 2, 3, 4]);
  });
});

describe('toArray / item', () => {
  it('toArray gives nested arrays matching the shape, a number for 0-d', () => {
    expect(arange(6).reshape(2, 3).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(arange(8).reshape(2, 2, 2).toArray()).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    expect(tensor(3).toArray()).toBe(3);
    expect(zeros(0, 3).toArray()).toEqual([]);
    expect(zeros(2, 0).toArray()).toEqual([[], []]);
    expect(tensor([[0.1]]).toArray()).toEqual([[Math.fround(0.1)]]);
  });
  it('item() of a one-element tensor of any rank; several elements throw', () => {
    expect(tensor(1.5).item()).toBe(1.5);
    expect(tensor([[[-2]]]).item()).toBe(-2);
    // torch: a Tensor with 6 elements cannot be converted to Scalar
    expect(() => arange(6).item()).toThrow('item: tensor with 6 elements cannot be converted to a number');
    expect(() => zeros(0).item()).toThrow('item: tensor with 0 elements cannot be converted to a number');
  });
});

describe('zeros / ones / full / arange', () => {
  it('zeros and ones from sizes or a list; no sizes is 0-d', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(vals(zeros([2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(vals(ones(3))).toEqual([1, 1, 1]);
    expect(ones([2, 1, 2]).shape).toEqual([2, 1, 2]);
    expect(zeros().shape).toEqual([]);
    expect(ones().item()).toBe(1);
    expect(zeros(0).size).toBe(0);
    expect(() => zeros(2, -1)).toThrow('zeros: shape must be a list of non-negative integers, got [2,-1]');
    expect(() => ones(1.5)).toThrow('ones: shape must be a list of non-negative integers');
  });
  it('full fills with the value rounded to float32; requiresGrad option', () => {
    expect(vals(full([2, 2], 0.1))).toEqual(new Array(4).fill(Math.fround(0.1)));
    expect(full([], -3).item()).toBe(-3);
    expect(full([1], 2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => full([-1], 0)).toThrow('full: shape must be a list of non-negative integers');
  });
  it('arange(end), arange(start, end), arange(start, end, step) as torch.arange', () => {
    expect(vals(arange(5))).toEqual([0, 1, 2, 3, 4]);
    expect(vals(arange(2, 5))).toEqual([2, 3, 4]);
    expect(vals(arange(0))).toEqual([]);
    // torch.arange(0, 1, 0.1).tolist() -> [0.0, 0.10000000149011612, ..., 0.8999999761581421] (10 values)
    expect(vals(arange(0, 1, 0.1))).toEqual([
      0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5, 0.6000000238418579,
      0.699999988079071, 0.800000011920929, 0.8999999761581421,
    ]);
    // torch.arange(5, 0, -1.5).tolist() -> [5.0, 3.5, 2.0, 0.5]
    expect(vals(arange(5, 0, -1.5))).toEqual([5, 3.5, 2, 0.5]);
    // torch.arange(-1, 1, 0.3).tolist()
    expect(vals(arange(-1, 1, 0.3))).toEqual([
      -1.0, -0.699999988079071, -0.4000000059604645, -0.10000000149011612, 0.20000000298023224, 0.5, 0.800000011920929,
    ]);
    expect(arange(1, 2.5, 0.5).shape).toEqual([3]);
  });
  it('arange errors: zero step, inconsistent bounds, non-finite', () => {
    // torch: step must be nonzero / upper bound and larger bound inconsistent with step sign
    expect(() => arange(0, 1, 0)).toThrow('arange: step must be nonzero, got 0');
    expect(() => arange(5, 1)).toThrow(
      'arange: upper bound and larger bound inconsistent with step sign (start 5, end 1, step 1)',
    );
    expect(() => arange(0, Infinity)).toThrow('arange: start, end and step must be finite, got 0, Infinity, 1');
  });
});
