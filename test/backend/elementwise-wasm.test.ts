/**
 * The f32x4 elementwise loops (src/backend/wasm/elementwise.ts) against the
 * float64 result rounded once to float32, bit for bit (NaN only as NaN),
 * with NaN, -0, +-Inf among the inputs, lengths that are not whole vectors,
 * and every layout in both operand orders. As PyTorch: relu keeps NaN and -0
 * (v < 0 ? 0 : v), reluGrad(a, b) is b <= 0 ? 0 : a (a NaN input passes a); gt(NaN, b) is 0.
 */
import { describe, expect, it } from 'vitest';
import type { BinaryOp } from '../../src/backend/kernels';
import { wasmBinary, wasmUnary } from '../../src/backend/wasm/elementwise';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const a = Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 4 * (s / 2 ** 32) - 2;
  });
  [NaN, -0, 0, Infinity, -Infinity, 1e-40].forEach((v, i) => {
    if (i * 3 < n) a[i * 3] = v;
  });
  return a;
}

const f32bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
function mismatches(got: Float32Array, want: (i: number) => number, n: number): string[] {
  if (got.length !== n) return [`length ${got.length}, want ${n}`];
  const out: string[] = [];
  for (let i = 0; i < n && out.length < 3; i++) {
    const w = Math.fround(want(i));
    if (!(Number.isNaN(w) ? Number.isNaN(got[i]) : f32bits(got[i]) === f32bits(w)))
      out.push(`[${i}] got ${got[i]}, want ${w}`);
  }
  return out;
}

const REF: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  gt: (a, b) => (a > b ? 1 : 0),
  // ReLU's backward: a * 0 keeps -0 for negative a and NaN for NaN and infinite a.
  reluGrad: (a, b) => (b <= 0 ? 0 : a),
};

describe('wasm elementwise', () => {
  it.each([1, 3, 4, 17, 1024, 4099])('binary ops, every layout and order, length %i', (n) => {
    const a = rand(n, n),
      b = rand(n, n + 1),
      s = rand(1, 7),
      rows = rand(8, 9);
    for (const op of Object.keys(REF) as BinaryOp[]) {
      const f = REF[op];
      expect(
        mismatches(wasmBinary(op, a, b, 'same', 0, false), (i) => f(a[i], b[i]), n),
        `${op} same`,
      ).toEqual([]);
      for (const sv of [s, new Float32Array([NaN]), new Float32Array([-0])]) {
        expect(
          mismatches(wasmBinary(op, a, sv, 'scalar', 1, false), (i) => f(a[i], sv[0]), n),
          `${op} scalar ${sv[0]}`,
        ).toEqual([]);
        expect(
          mismatches(wasmBinary(op, a, sv, 'scalar', 1, true), (i) => f(sv[0], a[i]), n),
          `${op} scalar first ${sv[0]}`,
        ).toEqual([]);
      }
      if (n % 8 === 0) {
        expect(
          mismatches(wasmBinary(op, a, rows, 'rows', 8, false), (i) => f(a[i], rows[i % 8]), n),
          `${op} rows`,
        ).toEqual([]);
        expect(
          mismatches(wasmBinary(op, a, rows, 'rows', 8, true), (i) => f(rows[i % 8], a[i]), n),
          `${op} rows first`,
        ).toEqual([]);
      }
    }
  });

  it.each([1, 5, 1024, 4099])('relu and neg, length %i', (n) => {
    const x = rand(n, 3 * n);
    expect(
      mismatches(wasmUnary('relu', x), (i) => (x[i] < 0 ? 0 : x[i]), n),
      'relu',
    ).toEqual([]);
    expect(
      mismatches(wasmUnary('neg', x), (i) => -x[i], n),
      'neg',
    ).toEqual([]);
  });
});
