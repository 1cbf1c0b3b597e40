/** Gradients of sum, mean and var against float64 finite differences. */
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../helpers/gradcheck';
import { meanRef, normalValues, sumRef, varRef } from '../../helpers/reference';

const shape = [2, 3, 4];
const x = { values: normalValues(24, 30), shape };

type Dim = number | number[] | undefined;
const cases: { dim: Dim; keepdim: boolean; out: number[] }[] = [
  { dim: undefined, keepdim: false, out: [] },
  { dim: 0, keepdim: false, out: [3, 4] },
  { dim: 1, keepdim: true, out: [2, 1, 4] },
  { dim: -1, keepdim: false, out: [2, 3] },
  { dim: [0, 2], keepdim: false, out: [3] },
  { dim: [0, 2], keepdim: true, out: [1, 3, 1] },
  { dim: [2, 1], keepdim: false, out: [2] },
  { dim: [0, 1, 2], keepdim: true, out: [1, 1, 1] },
];
const label = (c: (typeof cases)[number]) =>
  `dim ${JSON.stringify(c.dim) ?? 'all'}${c.keepdim ? ', keepdim' : ''} -> [${c.out}]`;

describe('gradcheck: sum', () => {
  for (const c of cases) {
    it(label(c), () => {
      const r = gradcheck({
        name: `sum ${label(c)}`,
        inputs: [x],
        outShape: c.out,
        rxnn: ([a]) => (c.dim === undefined && !c.keepdim ? a.sum() : a.sum(c.dim, { keepdim: c.keepdim })),
        ref: ([a]) => sumRef(a, shape, c.dim),
      });
      expect(r.checked).toBe(24);
    });
  }
});

describe('gradcheck: mean', () => {
  for (const c of cases) {
    it(label(c), () => {
      gradcheck({
        name: `mean ${label(c)}`,
        inputs: [x],
        outShape: c.out,
        rxnn: ([a]) => (c.dim === undefined && !c.keepdim ? a.mean() : a.mean(c.dim, { keepdim: c.keepdim })),
        ref: ([a]) => meanRef(a, shape, c.dim),
      });
    });
  }
});

describe('gradcheck: var', () => {
  for (const unbiased of [true, false]) {
    for (const c of cases) {
      it(`${unbiased ? 'unbiased' : 'biased'}, ${label(c)}`, () => {
        gradcheck({
          name: `var ${unbiased} ${label(c)}`,
          inputs: [x],
          outShape: c.out,
          rxnn: ([a]) =>
            c.dim === undefined && !c.keepdim && unbiased ? a.var() : a.var(c.dim, { unbiased, keepdim: c.keepdim }),
          ref: ([a]) => varRef(a, shape, c.dim, unbiased ? 1 : 0),
        });
      });
    }
  }

  it('of data with a large mean (1e3) and small spread: the gradient 2(x - mean)/(n - 1) keeps its precision', () => {
    const big = { values: normalValues(16, 31, 1000, 0.5), shape: [4, 4] };
    gradcheck({
      name: 'var large mean',
      inputs: [big],
      rxnn: ([a]) => a.var(1),
      ref: ([a]) => varRef(a, [4, 4], 1, 1),
      tol: { atol: 1e-4, rtol: 1e-3 },
    });
  });
});
