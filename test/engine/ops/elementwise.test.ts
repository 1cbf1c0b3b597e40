/**
 * Forward values of the elementwise ops against float64 references computed
 * from the same float32 inputs.
 *
 * Tolerances
 * - add, sub, mul, div, sqrt (and neg, relu): IEEE 754 rounds these correctly,
 *   and PyTorch's float32 CPU kernels produce exactly that, so rxnn must equal
 *   Math.fround(float64 result) bit for bit (the float64 result of one of these
 *   ops on float32 inputs rounds to the correctly rounded float32: double
 *   rounding is innocuous since 53 >= 2 * 24 + 2). The looser float32-accuracy
 *   bound |a - b| <= 1e-6 + 1e-6 |b| is asserted as well.
 * - exp, log, tanh, sigmoid, pow: not correctly rounded anywhere. PyTorch's
 *   vectorised float32 kernels (SLEEF-style, documented to ~1 ulp) and rxnn's
 *   double-then-round (<= 0.5 ulp + a hair) may differ by 1-2 ulp, so the bound
 *   is |a - b| <= 1e-6 |b| (about 8 float32 ulps) plus 1e-37 absolute for
 *   results at the bottom of the float32 range: enough margin for any faithful
 *   float32 kernel, far too tight for a wrong formula.
 */
import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '../../../src';
import { assertClose } from '../../helpers/gradcheck';
import { normalValues, prng, sigmoid64, uniformValues } from '../../helpers/reference';

const EXACT = { atol: 1e-6, rtol: 1e-6 };
const TRANSCENDENTAL = { atol: 1e-37, rtol: 1e-6 };

/** Values spanning many magnitudes (1e-4 .. 1e4), both signs. */
function wide(n: number, seed: number): number[] {
  const r = prng(seed);
  return normalValues(n, seed + 1).map((v) => Math.fround(v * 10 ** (8 * r() - 4)));
}

function expectCorrectlyRounded(t: Tensor, ref64: number[], what: string): void {
  assertClose(t.data, ref64, EXACT, what);
  const rounded = ref64.map(Math.fround);
  let mismatches = 0;
  t.data.forEach((v, i) => {
    if (!Object.is(v, rounded[i]) && !(Number.isNaN(v) && Number.isNaN(rounded[i]))) mismatches++;
  });
  expect(mismatches, `${what}: values not bit-equal to the correctly rounded float32`).toBe(0);
}

describe('exactly rounded ops', () => {
  const a = wide(2000, 1),
    b = wide(2000, 3);
  const ta = tensor(a),
    tb = tensor(b);
  it('add, sub, mul, div equal the correctly rounded float32 result', () => {
    expectCorrectlyRounded(
      ta.add(tb),
      a.map((v, i) => v + b[i]),
      'add',
    );
    expectCorrectlyRounded(
      ta.sub(tb),
      a.map((v, i) => v - b[i]),
      'sub',
    );
    expectCorrectlyRounded(
      ta.mul(tb),
      a.map((v, i) => v * b[i]),
      'mul',
    );
    expectCorrectlyRounded(
      ta.div(tb),
      a.map((v, i) => v / b[i]),
      'div',
    );
  });
  it('with a number operand (made float32 first, as a PyTorch scalar for a float tensor)', () => {
    expectCorrectlyRounded(
      ta.add(0.1),
      a.map((v) => v + Math.fround(0.1)),
      'add 0.1',
    );
    expectCorrectlyRounded(
      ta.mul(1.7),
      a.map((v) => v * Math.fround(1.7)),
      'mul 1.7',
    );
    expectCorrectlyRounded(
      ta.div(3),
      a.map((v) => v / 3),
      'div 3',
    );
    expectCorrectlyRounded(
      ta.sub(-2.5),
      a.map((v) => v + 2.5),
      'sub -2.5',
    );
  });
  it('sqrt of positive values', () => {
    const p = a.map(Math.abs);
    expectCorrectlyRounded(tensor(p).sqrt(), p.map(Math.sqrt), 'sqrt');
  });
  it('neg and relu are exact', () => {
    expect(Array.from(ta.neg().data)).toEqual(a.map((v) => -v));
    expect(Array.from(ta.relu().data)).toEqual(a.map((v) => (v > 0 ? v : 0)));
  });
  it('gt gives 1 where a > b, else 0, and records no graph', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const g = x.gt(tensor([0, 2, 4]));
    expect(Array.from(g.data)).toEqual([1, 0, 0]);
    expect(g.requiresGrad).toBe(false);
    expect(Array.from(x.gt(1.5).data)).toEqual([0, 1, 1]);
  });
  it('the shapes are kept, and inputs are not modified', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = x.mul(2).add(x);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(y.data)).toEqual([3, 6, 9, 12, 15, 18]);
  });
});

describe('transcendental ops (|a - b| <= 1e-6 |b|, see header)', () => {
  const x = uniformValues(2000, 5, -20, 20);
  const pos = uniformValues(2000, 6, 1e-3, 1e3);
  it('exp', () => assertClose(tensor(x).exp().data, x.map(Math.exp), TRANSCENDENTAL, 'exp'));
  it('log', () => assertClose(tensor(pos).log().data, pos.map(Math.log), TRANSCENDENTAL, 'log'));
  it('tanh', () => assertClose(tensor(x).tanh().data, x.map(Math.tanh), TRANSCENDENTAL, 'tanh'));
  it('sigmoid', () => assertClose(tensor(x).sigmoid().data, x.map(sigmoid64), TRANSCENDENTAL, 'sigmoid'));
  it('log near 1 (results near 0 keep their relative accuracy)', () => {
    const near = uniformValues(500, 7, 0.999, 1.001);
    assertClose(tensor(near).log().data, near.map(Math.log), TRANSCENDENTAL, 'log near 1');
  });
  for (const e of [2, 3, -1, 0.5, 1.5, -2.5, 0]) {
    it(`pow ${e}`, () => {
      const base =
        e === Math.round(e)
          ? normalValues(500, 8).map((v) => Math.fround(v + (v >= 0 ? 0.1 : -0.1)))
          : pos.slice(0, 500);
      assertClose(
        tensor(base).pow(e).data,
        base.map((v) => v ** e),
        TRANSCENDENTAL,
        `pow ${e}`,
      );
    });
  }
  it('pow 2 and pow 0.5 are exactly x*x and sqrt(x) (PyTorch special-cases them)', () => {
    const p = pos.slice(0, 500);
    expectCorrectlyRounded(
      tensor(p).pow(2),
      p.map((v) => v * v),
      'pow 2',
    );
    expectCorrectlyRounded(tensor(p).pow(0.5), p.map(Math.sqrt), 'pow 0.5');
  });
});

describe('special values, as PyTorch', () => {
  // torch.tensor([89., 88.7, -104., -87., 0.]).exp().tolist()
  //   -> [inf, 3.325976864406685e+38, 0.0, 1.6458114537543937e-38, 1.0]
  it('exp overflows to inf and underflows to 0 at float32 limits', () => {
    const e = tensor([89, 88.7, -104, -87, 0]).exp();
    expect(e.data[0]).toBe(Infinity);
    expect(e.data[1]).toBeCloseTo(3.325976864406685e38, -32);
    expect(e.data[2]).toBe(0);
    expect(e.data[3]).toBe(Math.fround(1.6458114537543937e-38));
    expect(e.data[4]).toBe(1);
  });
  it('log(0) = -inf, log(-1) = nan, sqrt(-1) = nan, x / 0 = +-inf or nan', () => {
    expect(Array.from(tensor([0, -1]).log().data)).toEqual([-Infinity, NaN]);
    expect(Array.from(tensor([-1]).sqrt().data)).toEqual([NaN]);
    expect(Array.from(tensor([1, -1, 0]).div(0).data)).toEqual([Infinity, -Infinity, NaN]);
  });
  it('sigmoid and tanh saturate to exactly 1 (and -1) for large inputs, and 0.5 at 0', () => {
    // torch.tensor([-100., -20, 0, 20, 100]).sigmoid().tolist() -> [0.0, 2.06115369216775e-09, 0.5, 1.0, 1.0]
    const s = tensor([-20, 0, 20, 100]).sigmoid();
    expect(Array.from(s.data)).toEqual([Math.fround(2.06115369216775e-9), 0.5, 1, 1]);
    expect(Array.from(tensor([-30, 30]).tanh().data)).toEqual([-1, 1]);
  });
});
