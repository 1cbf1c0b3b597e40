/** Layout ops: reshape/view (with -1), transpose, permute, indexSelect, cat, clone; values and errors. */
import { describe, expect, it } from 'vitest';
import { arange, cat, tensor, zeros } from '../../../src';
import { catRef, indexSelectRef, normalValues, permuteRef, transposeRef } from '../../helpers/reference';

const xv = normalValues(24, 300);
const x = tensor(xv, { shape: [2, 3, 4] });
const vals = (t: { data: Float32Array }) => Array.from(t.data);

describe('reshape / view', () => {
  it("always give a new tensor with PyTorch 1.13's node, even for the same shape; flatten of 1-D is the tensor itself", () => {
    const x = zeros(2, 2).requiresGrad_();
    const v = x.view(2, 2),
      r = x.reshape(2, 2);
    expect(v).not.toBe(x);
    expect(v.isLeaf).toBe(false);
    expect(v.gradFn?.name).toBe('ViewBackward0');
    expect(r.gradFn?.name).toBe('ReshapeAliasBackward0');
    expect(x.flatten().gradFn?.name).toBe('ReshapeAliasBackward0');
    expect(v.data).toBe(x.data);
    const one = zeros(6);
    expect(one.flatten()).toBe(one);
  });

  it('infers one -1 dimension', () => {
    expect(x.reshape(-1).shape).toEqual([24]);
    expect(x.reshape(4, -1).shape).toEqual([4, 6]);
    expect(x.reshape([-1, 2, 3]).shape).toEqual([4, 2, 3]);
    expect(x.view(2, -1, 2).shape).toEqual([2, 6, 2]);
    expect(x.reshape(24, 1, -1).shape).toEqual([24, 1, 1]);
    expect(zeros(0, 3).reshape(3, 0).shape).toEqual([3, 0]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(tensor(5).reshape(-1).shape).toEqual([1]);
  });

  it('keeps the row-major order and shares the data (a view)', () => {
    const r = x.reshape(6, 4);
    expect(vals(r)).toEqual(vals(x));
    expect(r.data).toBe(x.data);
    expect(x.flatten().shape).toEqual([24]);
    expect(arange(6).view(2, 3).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('invalid shapes throw naming the requested shape, the size and the input shape', () => {
    // torch: shape '[4, -1]' is invalid for input of size 6
    expect(() => arange(6).reshape(4, -1)).toThrow('reshape: shape [4, -1] is invalid for input of size 6 (shape [6])');
    expect(() => arange(6).reshape(4, 2)).toThrow('reshape: shape [4, 2] is invalid for input of size 6 (shape [6])');
    // torch: only one dimension can be inferred
    expect(() => arange(6).reshape(-1, -1)).toThrow(
      'reshape: shape [-1, -1] is invalid for input of size 6 (shape [6])',
    );
    // torch: invalid shape dimension -2
    expect(() => arange(6).reshape(-2, 3)).toThrow('reshape: shape [-2, 3] is invalid');
    expect(() => arange(6).reshape(1.5, 4)).toThrow('reshape: shape [1.5, 4] is invalid');
    expect(() => x.view(5, -1)).toThrow('reshape: shape [5, -1] is invalid for input of size 24 (shape [2, 3, 4])');
    expect(() => zeros(0).reshape(0, -1)).toThrow('reshape: shape [0, -1] is invalid for input of size 0');
  });
});

describe('transpose / permute', () => {
  it('values against the reference', () => {
    expect(vals(x.transpose(0, 2))).toEqual(transposeRef(xv, [2, 3, 4], 0, 2));
    expect(x.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(vals(x.transpose(-1, 1))).toEqual(transposeRef(xv, [2, 3, 4], 2, 1));
    for (const perm of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
      [2, 1, 0],
      [0, 2, 1],
    ]) {
      const p = x.permute(perm);
      expect(p.shape).toEqual(perm.map((d) => x.shape[d]));
      expect(vals(p)).toEqual(permuteRef(xv, [2, 3, 4], perm));
    }
    expect(vals(x.permute(-1, 0, -2))).toEqual(permuteRef(xv, [2, 3, 4], [2, 0, 1]));
  });

  it('matrix transpose: default dims and .T', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.transpose().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(m.T.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(m.T.T.toArray()).toEqual(m.toArray());
    // torch.tensor([1., 2., 3.]).T -> tensor([1., 2., 3.]) (0-d and 1-D tensors are their own transpose)
    expect(tensor([1, 2, 3]).T.toArray()).toEqual([1, 2, 3]);
    expect(tensor(4).T.item()).toBe(4);
  });

  it('transpose of a 1-D tensor checks its dims (torch: transpose(0, 1) of [3] -> Dimension out of range (expected to be in range of [-1, 0], but got 1))', () => {
    const v = tensor([1, 2, 3]);
    expect(v.transpose(0, 0).toArray()).toEqual([1, 2, 3]);
    expect(v.transpose(0, -1).toArray()).toEqual([1, 2, 3]);
    expect(() => v.transpose(0, 1)).toThrow('transpose: dimension 1 out of range (expected to be in range of [-1, 0])');
  });

  it('invalid dims throw', () => {
    expect(() => x.permute(0, 1)).toThrow(
      'permute: dims [0, 1] must be a permutation of the 3 dims of shape [2, 3, 4]',
    );
    expect(() => x.permute(0, 0, 1)).toThrow('permute: dims [0, 0, 1] must be a permutation');
    expect(() => x.permute(0, 1, 3)).toThrow('permute: dimension 3 out of range (expected to be in range of [-3, 2])');
    expect(() => x.transpose(0, 3)).toThrow('transpose: dimension 3 out of range');
  });
});

describe('indexSelect', () => {
  const m = tensor(normalValues(12, 301), { shape: [4, 3] });
  it('rows in the given order, repeats allowed', () => {
    const r = m.indexSelect([3, 1, 3, 0]);
    expect(r.shape).toEqual([4, 3]);
    expect(vals(r)).toEqual(indexSelectRef(vals(m), [4, 3], [3, 1, 3, 0]));
    expect(m.indexSelect([]).shape).toEqual([0, 3]);
    expect(vals(arange(5).indexSelect([4, 0, 0]))).toEqual([4, 0, 0]);
    expect(x.indexSelect([1]).shape).toEqual([1, 3, 4]);
    expect(vals(x.indexSelect([1]))).toEqual(xv.slice(12));
  });
  it('bad indices throw naming the index and the size', () => {
    // torch: index out of range in self
    expect(() => m.indexSelect([4])).toThrow('indexSelect: index 4 is out of bounds for dimension 0 with size 4');
    expect(() => m.indexSelect([-1])).toThrow('indexSelect: index -1 is out of bounds');
    expect(() => m.indexSelect([0.5])).toThrow('indexSelect: index 0.5 is out of bounds');
    expect(() => tensor(3).indexSelect([0])).toThrow(
      'indexSelect: needs a tensor with at least one dimension, got a 0-d tensor',
    );
  });
});

describe('cat', () => {
  const a = tensor(normalValues(6, 302), { shape: [2, 3] });
  const b = tensor(normalValues(9, 303), { shape: [3, 3] });
  const c = tensor(normalValues(8, 304), { shape: [2, 4] });
  it('along dim 0 and dim 1 (and -1)', () => {
    const r0 = cat([a, b]);
    expect(r0.shape).toEqual([5, 3]);
    expect(vals(r0)).toEqual(
      catRef(
        [vals(a), vals(b)],
        [
          [2, 3],
          [3, 3],
        ],
        0,
      ),
    );
    const r1 = cat([a, c, a], 1);
    expect(r1.shape).toEqual([2, 10]);
    expect(vals(r1)).toEqual(
      catRef(
        [vals(a), vals(c), vals(a)],
        [
          [2, 3],
          [2, 4],
          [2, 3],
        ],
        1,
      ),
    );
    expect(vals(cat([a, c], -1))).toEqual(
      catRef(
        [vals(a), vals(c)],
        [
          [2, 3],
          [2, 4],
        ],
        1,
      ),
    );
    expect(vals(cat([tensor([1, 2]), tensor([3])]))).toEqual([1, 2, 3]);
    const x3 = cat([x, x], 1);
    expect(x3.shape).toEqual([2, 6, 4]);
    expect(vals(x3)).toEqual(
      catRef(
        [xv, xv],
        [
          [2, 3, 4],
          [2, 3, 4],
        ],
        1,
      ),
    );
    expect(cat([a]).data).not.toBe(a.data);
  });
  it('mismatched shapes, an empty list and bad dims throw', () => {
    // torch: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list.
    expect(() => cat([a, c])).toThrow(
      'cat: sizes of tensors must match except in dimension 0: tensor 0 has shape [2, 3], tensor 1 has shape [2, 4]',
    );
    expect(() => cat([a, tensor([1, 2, 3])])).toThrow(
      'cat: sizes of tensors must match except in dimension 0: tensor 0 has shape [2, 3], tensor 1 has shape [3]',
    );
    expect(() => cat([])).toThrow('cat: expected a non-empty list of tensors');
    expect(() => cat([a, a], 2)).toThrow('cat: dimension 2 out of range');
  });
  it('of empty tensors keeps the sizes (torch: cat([zeros(2, 0), zeros(3, 0)]) -> [5, 0])', () => {
    expect(cat([zeros(2, 0), zeros(3, 0)], 0).shape).toEqual([5, 0]);
    expect(cat([zeros(0, 2), zeros(0, 3)], 1).shape).toEqual([0, 5]);
  });

  it('0-d tensors cannot be concatenated (torch: "zero-dimensional tensor (at position 0) cannot be concatenated")', () => {
    expect(() => cat([tensor(1), tensor(2)])).toThrow(/zero-dimensional|0-d/);
  });
});

describe('clone / detach', () => {
  it('clone copies the data; detach shares it', () => {
    const t = tensor([1, 2, 3]);
    const c = t.clone();
    expect(c.data).not.toBe(t.data);
    c.data[0] = 9;
    expect(vals(t)).toEqual([1, 2, 3]);
    expect(t.detach().data).toBe(t.data);
  });
});
