import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeSample, mean, median, paired, sd, studentTCdf, studentTQuantile } from '../../src/sweep';

describe('sweep statistics', () => {
  it('Student t 0.975 quantiles match R qt(0.975, df)', () => {
    const r: [number, number][] = [
      [1, 12.706204736174705],
      [2, 4.302652729749464],
      [4, 2.7764451051977987],
      [9, 2.2621571627982053],
      [29, 2.045229642132703],
      [1000, 1.9623390808264078],
    ];
    for (const [df, q] of r) expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 10);
    expect(studentTCdf(2.045229642132703, 29)).toBeCloseTo(0.975, 12);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.2621571627982053, 10);
    expect(() => studentTQuantile(1, 3)).toThrow(/0 < p < 1/);
  });

  it('mean, sd (n − 1), median and the 95% CI of a sample', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const s = describeSample([1, 2, 3, NaN, Infinity]);
    expect(s).toMatchObject({ n: 3, nonFinite: 2, mean: 2, sd: 1, median: 2 });
    // R: t.test(c(1,2,3))$conf.int = -0.4841377, 4.4841377
    expect(s.ciLow).toBeCloseTo(-0.48413771175033027, 10);
    expect(s.ciHigh).toBeCloseTo(4.48413771175033, 10);
    const one = describeSample([7]);
    expect(one.mean).toBe(7);
    expect(one.sd).toBeNaN();
    expect(one.ciLow).toBeNaN();
  });

  it('the CI holds the mean and shifts with the data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (xs, c) => {
          const a = describeSample(xs);
          const b = describeSample(xs.map((x) => x + c));
          expect(a.ciLow).toBeLessThanOrEqual(a.mean);
          expect(a.ciHigh).toBeGreaterThanOrEqual(a.mean);
          expect(b.mean).toBeCloseTo(a.mean + c, 6);
          expect(b.sd).toBeCloseTo(a.sd, 6);
        },
      ),
    );
  });

  it('paired comparison: differences a − b, and which side each seed favours', () => {
    const p = paired([1, 2, 3, 4], [2, 2, 5, 3], true);
    expect(p.diff.mean).toBe(-0.5);
    expect(p.diff.n).toBe(4);
    expect([p.aBetter, p.bBetter, p.ties]).toEqual([2, 1, 1]);
    const acc = paired([0.9, 0.8], [0.7, 0.85], false);
    expect([acc.aBetter, acc.bBetter]).toEqual([1, 1]);
    const nan = paired([1, NaN], [2, 1], true);
    expect(nan.diff.n).toBe(1);
    expect(() => paired([1], [1, 2], true)).toThrow(/one length/);
  });
});
