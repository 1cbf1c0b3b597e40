/** Gradients of the elementwise ops (and broadcasting's adjoint) against float64 finite differences. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../../src';
import { ops } from '../../../src/tensor';
import { gradcheck, GradcheckSpec } from '../../helpers/gradcheck';
import { awayFromZero, binaryRef, normalValues, sigmoid64, uniformValues } from '../../helpers/reference';

function check(spec: GradcheckSpec): void {
  const r = gradcheck(spec);
  expect(r.checked).toBeGreaterThan(0);
}

/** A binary op on the given shapes, checked against f on float64 with broadcasting. */
function binaryCase(
  name: string,
  aShape: number[],
  bShape: number[],
  op: 'add' | 'sub' | 'mul' | 'div',
  f: (x: number, y: number) => number,
  outShape: number[],
): void {
  it(`${name}: ${JSON.stringify(aShape)} ${op} ${JSON.stringify(bShape)} -> ${JSON.stringify(outShape)}`, () => {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const b = op === 'div' ? awayFromZero(size(bShape), 22, 0.5, 2) : normalValues(size(bShape), 21);
    check({
      name: `${op} ${aShape} ${bShape}`,
      inputs: [
        { values: normalValues(size(aShape), 20), shape: aShape },
        { values: b, shape: bShape },
      ],
      rxnn: ([x, y]) => x[op](y),
      ref: ([x, y]) => binaryRef(x, aShape, y, bShape, f),
      outShape,
    });
  });
}

describe('gradcheck: binary ops', () => {
  const add = (x: number, y: number) => x + y,
    sub = (x: number, y: number) => x - y;
  const mul = (x: number, y: number) => x * y,
    div = (x: number, y: number) => x / y;
  binaryCase('add', [2, 3], [2, 3], 'add', add, [2, 3]);
  binaryCase('add expands both', [3, 1], [1, 4], 'add', add, [3, 4]);
  binaryCase('add expands leading dims', [4], [2, 3, 4], 'add', add, [2, 3, 4]);
  binaryCase('add 0-d tensor', [], [2, 3], 'add', add, [2, 3]);
  binaryCase('sub', [2, 3], [2, 3], 'sub', sub, [2, 3]);
  binaryCase('sub broadcast', [2, 1, 3], [4, 1], 'sub', sub, [2, 4, 3]);
  binaryCase('mul', [2, 3], [2, 3], 'mul', mul, [2, 3]);
  binaryCase('mul broadcast', [3, 1], [1, 4], 'mul', mul, [3, 4]);
  binaryCase('mul 0-d', [2, 3], [], 'mul', mul, [2, 3]);
  binaryCase('div', [2, 3], [2, 3], 'div', div, [2, 3]);
  binaryCase('div broadcast', [2, 3, 4], [3, 1], 'div', div, [2, 3, 4]);
  binaryCase('div by 0-d', [4], [], 'div', div, [4]);

  it('tensor op number, and number op tensor (the number is a constant)', () => {
    const x = { values: normalValues(6, 3), shape: [2, 3] };
    check({ name: 'add number', inputs: [x], rxnn: ([a]) => a.add(2.5), ref: ([a]) => a.map((v) => v + 2.5) });
    check({ name: 'sub number', inputs: [x], rxnn: ([a]) => a.sub(-1.25), ref: ([a]) => a.map((v) => v + 1.25) });
    check({ name: 'mul number', inputs: [x], rxnn: ([a]) => a.mul(-3), ref: ([a]) => a.map((v) => -3 * v) });
    check({ name: 'div number', inputs: [x], rxnn: ([a]) => a.div(4), ref: ([a]) => a.map((v) => v / 4) });
    check({ name: 'number - x', inputs: [x], rxnn: ([a]) => ops.sub(1, a), ref: ([a]) => a.map((v) => 1 - v) });
    const y = { values: awayFromZero(6, 4, 0.5, 2), shape: [2, 3] };
    check({ name: 'number / x', inputs: [y], rxnn: ([a]) => ops.div(2, a), ref: ([a]) => a.map((v) => 2 / v) });
  });

  it('an input used twice gets both contributions (x * x, x + x, x / x)', () => {
    const x = { values: awayFromZero(5, 5, 0.5, 2), shape: [5] };
    check({ name: 'x*x', inputs: [x], rxnn: ([a]) => a.mul(a), ref: ([a]) => a.map((v) => v * v) });
    check({ name: 'x+x', inputs: [x], rxnn: ([a]) => a.add(a), ref: ([a]) => a.map((v) => 2 * v) });
    check({ name: 'x/x', inputs: [x], rxnn: ([a]) => a.div(a).mul(a), ref: ([a]) => a.map((v) => v) });
  });

  it('expand directly (ops.expand): [3, 1] -> [2, 3, 4] sums the gradient back', () => {
    check({
      name: 'expand',
      inputs: [{ values: normalValues(3, 6), shape: [3, 1] }],
      outShape: [2, 3, 4],
      rxnn: ([a]) => ops.expand(a, [2, 3, 4]),
      ref: ([a]) => Array.from({ length: 24 }, (_, i) => a[Math.floor(i / 4) % 3]),
    });
  });
});

describe('gradcheck: pow', () => {
  const signed = { values: awayFromZero(6, 7, 0.3, 2), shape: [2, 3] };
  const positive = { values: uniformValues(6, 8, 0.2, 3), shape: [2, 3] };
  for (const e of [1, 2, 3, -1, -2, 0]) {
    it(`integer exponent ${e} (signed bases)`, () => {
      check({ name: `pow ${e}`, inputs: [signed], rxnn: ([a]) => a.pow(e), ref: ([a]) => a.map((v) => v ** e) });
    });
  }
  it('exponent 0 has a zero gradient everywhere, also at x = 0 (torch: x.pow(0) backward gives 0, not nan)', () => {
    // x = torch.tensor([0., 2], requires_grad=True); x.pow(0).sum().backward(); x.grad -> tensor([0., 0.])
    const x = tensor([0, 2], { requiresGrad: true });
    x.pow(0).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
  });
  for (const e of [0.5, 1.5, -0.5, 2.7, -1.3]) {
    it(`fractional exponent ${e} (positive bases)`, () => {
      check({ name: `pow ${e}`, inputs: [positive], rxnn: ([a]) => a.pow(e), ref: ([a]) => a.map((v) => v ** e) });
    });
  }
});

describe('gradcheck: unary ops', () => {
  const x = { values: normalValues(12, 9), shape: [3, 4] };
  const pos = { values: uniformValues(12, 10, 0.1, 4), shape: [3, 4] };
  const kinkFree = { values: awayFromZero(12, 11, 0.05, 2), shape: [3, 4] };
  it('neg', () => check({ name: 'neg', inputs: [x], rxnn: ([a]) => a.neg(), ref: ([a]) => a.map((v) => -v) }));
  it('exp', () => check({ name: 'exp', inputs: [x], rxnn: ([a]) => a.exp(), ref: ([a]) => a.map(Math.exp) }));
  it('log (positive inputs)', () =>
    check({ name: 'log', inputs: [pos], rxnn: ([a]) => a.log(), ref: ([a]) => a.map(Math.log) }));
  it('sqrt (positive inputs)', () =>
    check({ name: 'sqrt', inputs: [pos], rxnn: ([a]) => a.sqrt(), ref: ([a]) => a.map(Math.sqrt) }));
  it('relu (inputs away from 0)', () => {
    const r = gradcheck({
      name: 'relu',
      inputs: [kinkFree],
      rxnn: ([a]) => a.relu(),
      ref: ([a]) => a.map((v) => Math.max(v, 0)),
    });
    // Both branches were exercised.
    expect(r.analytic[0]!.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(r.analytic[0]!.filter((v) => v !== 0).length).toBeGreaterThan(0);
  });
  it('sigmoid', () =>
    check({ name: 'sigmoid', inputs: [x], rxnn: ([a]) => a.sigmoid(), ref: ([a]) => a.map(sigmoid64) }));
  it('sigmoid of large |x| (saturated)', () => {
    const big = { values: [-12, -6, 6, 12], shape: [4] };
    check({
      name: 'sigmoid big',
      inputs: [big],
      rxnn: ([a]) => a.sigmoid(),
      ref: ([a]) => a.map(sigmoid64),
      tol: { atol: 1e-7 },
    });
  });
  it('tanh', () => check({ name: 'tanh', inputs: [x], rxnn: ([a]) => a.tanh(), ref: ([a]) => a.map(Math.tanh) }));
  it('a chain of unary ops: sqrt(exp(tanh(x)) + 1).log()', () => {
    check({
      name: 'chain',
      inputs: [x],
      rxnn: ([a]) => a.tanh().exp().add(1).sqrt().log(),
      ref: ([a]) => a.map((v) => Math.log(Math.sqrt(Math.exp(Math.tanh(v)) + 1))),
    });
  });
});
