/** Gradients of the layout ops (view, transpose, permute, indexSelect, cat, clone) against finite differences. */
import { describe, expect, it } from 'vitest';
import { cat } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import { catRef, indexSelectRef, normalValues, permuteRef, transposeRef } from '../../helpers/reference';

const x = { values: normalValues(24, 40), shape: [2, 3, 4] };
/** A non-symmetric function of the result, so a layout mistake moves values to the wrong weights. */
const sq = (v: number) => v * v * 0.5 + v;

describe('gradcheck: reshape / view', () => {
  it('reshape [2, 3, 4] -> [6, 4] followed by a nonlinearity', () => {
    gradcheck({
      name: 'reshape',
      inputs: [x],
      outShape: [6, 4],
      rxnn: ([a]) => {
        const r = a.reshape(6, 4);
        return r.mul(r).mul(0.5).add(r);
      },
      ref: ([a]) => a.map(sq),
    });
  });
  it('view with -1 and from an array, flatten', () => {
    gradcheck({
      name: 'view -1',
      inputs: [x],
      outShape: [4, 6],
      rxnn: ([a]) => a.view([-1, 6]).exp(),
      ref: ([a]) => a.map(Math.exp),
    });
    gradcheck({
      name: 'flatten',
      inputs: [x],
      outShape: [24],
      rxnn: ([a]) => a.flatten().tanh(),
      ref: ([a]) => a.map(Math.tanh),
    });
  });
  it('reshape to 0-d and back', () => {
    gradcheck({
      name: 'reshape 0-d',
      inputs: [{ values: [1.5], shape: [1, 1] }],
      outShape: [1],
      rxnn: ([a]) => a.reshape([]).mul(3).reshape(1),
      ref: ([a]) => [3 * a[0]],
    });
  });
});

describe('gradcheck: transpose / permute', () => {
  it('transpose of a matrix (default dims and .T)', () => {
    const m = { values: normalValues(6, 41), shape: [2, 3] };
    gradcheck({
      name: 'transpose',
      inputs: [m],
      outShape: [3, 2],
      rxnn: ([a]) => a.transpose(),
      ref: ([a]) => transposeRef(a, [2, 3], 0, 1),
    });
    gradcheck({
      name: '.T',
      inputs: [m],
      outShape: [3, 2],
      rxnn: ([a]) => a.T.exp(),
      ref: ([a]) => transposeRef(a, [2, 3], 0, 1).map(Math.exp),
    });
  });
  it('transpose of dims 0 and 2, and of negative dims', () => {
    gradcheck({
      name: 'transpose 0 2',
      inputs: [x],
      outShape: [4, 3, 2],
      rxnn: ([a]) => a.transpose(0, 2),
      ref: ([a]) => transposeRef(a, [2, 3, 4], 0, 2),
    });
    gradcheck({
      name: 'transpose -1 -2',
      inputs: [x],
      outShape: [2, 4, 3],
      rxnn: ([a]) => a.transpose(-1, -2),
      ref: ([a]) => transposeRef(a, [2, 3, 4], 2, 1),
    });
  });
  for (const perm of [
    [2, 0, 1],
    [1, 2, 0],
    [0, 2, 1],
    [2, 1, 0],
  ]) {
    it(`permute ${JSON.stringify(perm)}`, () => {
      gradcheck({
        name: `permute ${perm}`,
        inputs: [x],
        outShape: perm.map((p) => x.shape[p]),
        rxnn: ([a]) => a.permute(perm).mul(a.permute(perm)),
        ref: ([a]) => permuteRef(a, x.shape, perm).map((v) => v * v),
      });
    });
  }
  it('permute with variadic and negative dims', () => {
    gradcheck({
      name: 'permute -1',
      inputs: [x],
      outShape: [4, 2, 3],
      rxnn: ([a]) => a.permute(-1, 0, 1),
      ref: ([a]) => permuteRef(a, x.shape, [2, 0, 1]),
    });
  });
});

describe('gradcheck: indexSelect', () => {
  const m = { values: normalValues(12, 42), shape: [4, 3] };
  it('distinct rows, in a new order', () => {
    gradcheck({
      name: 'indexSelect',
      inputs: [m],
      outShape: [3, 3],
      rxnn: ([a]) => a.indexSelect([3, 0, 2]),
      ref: ([a]) => indexSelectRef(a, [4, 3], [3, 0, 2]),
    });
  });
  it('repeated indices accumulate their gradients; unselected rows get zero', () => {
    const r = gradcheck({
      name: 'indexSelect repeated',
      inputs: [m],
      outShape: [5, 3],
      rxnn: ([a]) => a.indexSelect([1, 3, 1, 1, 3]),
      ref: ([a]) => indexSelectRef(a, [4, 3], [1, 3, 1, 1, 3]),
    });
    const grad = r.analytic[0]!;
    expect(grad.slice(0, 3)).toEqual([0, 0, 0]);
    expect(grad.slice(6, 9)).toEqual([0, 0, 0]);
    expect(grad.slice(3, 6).every((v) => v !== 0)).toBe(true);
  });
  it('of a 1-D tensor, and of a 3-D tensor (whole [3, 4] blocks)', () => {
    gradcheck({
      name: 'indexSelect 1-D',
      inputs: [{ values: normalValues(5, 43), shape: [5] }],
      outShape: [4],
      rxnn: ([a]) => a.indexSelect([4, 4, 0, 2]),
      ref: ([a]) => indexSelectRef(a, [5], [4, 4, 0, 2]),
    });
    gradcheck({
      name: 'indexSelect 3-D',
      inputs: [x],
      outShape: [3, 3, 4],
      rxnn: ([a]) => a.indexSelect([1, 0, 1]),
      ref: ([a]) => indexSelectRef(a, [2, 3, 4], [1, 0, 1]),
    });
  });
});

describe('gradcheck: cat', () => {
  const a = { values: normalValues(6, 44), shape: [2, 3] };
  const b = { values: normalValues(9, 45), shape: [3, 3] };
  const c = { values: normalValues(8, 46), shape: [2, 4] };
  it('dim 0', () => {
    gradcheck({
      name: 'cat 0',
      inputs: [a, b],
      outShape: [5, 3],
      rxnn: (ts) => cat(ts, 0).tanh(),
      ref: ([p, q]) =>
        catRef(
          [p, q],
          [
            [2, 3],
            [3, 3],
          ],
          0,
        ).map(Math.tanh),
    });
  });
  it('dim 1 (and -1), three inputs', () => {
    const d = { values: normalValues(2, 47), shape: [2, 1] };
    gradcheck({
      name: 'cat 1',
      inputs: [a, c, d],
      outShape: [2, 8],
      rxnn: (ts) => cat(ts, 1),
      ref: (xs) =>
        catRef(
          xs,
          [
            [2, 3],
            [2, 4],
            [2, 1],
          ],
          1,
        ),
    });
    gradcheck({
      name: 'cat -1',
      inputs: [a, c],
      outShape: [2, 7],
      rxnn: (ts) => cat(ts, -1).exp(),
      ref: (xs) =>
        catRef(
          xs,
          [
            [2, 3],
            [2, 4],
          ],
          1,
        ).map(Math.exp),
    });
  });
  it('the same tensor twice, and an input that needs no grad', () => {
    gradcheck({
      name: 'cat self',
      inputs: [a],
      outShape: [2, 6],
      rxnn: ([p]) => cat([p, p], 1),
      ref: ([p]) =>
        catRef(
          [p, p],
          [
            [2, 3],
            [2, 3],
          ],
          1,
        ),
    });
    const r = gradcheck({
      name: 'cat constant',
      inputs: [a, { ...c, requiresGrad: false }],
      outShape: [2, 7],
      rxnn: (ts) => cat(ts, 1),
      ref: (xs) =>
        catRef(
          xs,
          [
            [2, 3],
            [2, 4],
          ],
          1,
        ),
    });
    expect(r.analytic[1]).toBeNull();
  });
});

describe('gradcheck: clone', () => {
  it('clone passes the gradient through', () => {
    gradcheck({
      name: 'clone',
      inputs: [x],
      outShape: [2, 3, 4],
      rxnn: ([p]) => p.clone().mul(p),
      ref: ([p]) => p.map((v) => v * v),
    });
  });
});
