import { describe, expect, it } from 'vitest';
import { fma32, fma64 } from '../../src/random';

/** Exact a * b + c with BigInt, rounded once to nearest-even at `bits` significand bits. */
function exactFma(a: number, b: number, c: number, bits: number): number {
  const parts = (x: number): [bigint, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    const hi = dv.getUint32(0);
    const exp = (hi >>> 20) & 0x7ff;
    let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(dv.getUint32(4));
    if (exp !== 0) m |= 1n << 52n;
    return [hi >>> 31 ? -m : m, (exp || 1) - 1075];
  };
  const [am, ae] = parts(a);
  const [bm, be] = parts(b);
  const [cm, ce] = parts(c);
  const e0 = Math.min(ae + be, ce);
  const n = ((am * bm) << BigInt(ae + be - e0)) + (cm << BigInt(ce - e0));
  if (n === 0n) return a * b + c; // the sign of an exact zero follows IEEE's rule
  let mag = n < 0n ? -n : n;
  let e = e0;
  const len = mag.toString(2).length;
  if (len > bits) {
    const sh = BigInt(len - bits);
    let q = mag >> sh;
    const rem = mag - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    mag = q;
    e += len - bits;
  }
  return (n < 0n ? -1 : 1) * Number(mag) * 2 ** e; // |e| stays small in these tests
}

/** Deterministic xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe('fma32', () => {
  it('rounds once where product-then-sum in double would round twice', () => {
    // (1 + i 2^-12)(1 + j 2^-12) with i, j odd lies exactly halfway between two float32s;
    // a tiny c decides the direction, which the double sum loses.
    let naiveWrong = 0;
    for (let i = 1; i < 40; i += 2) {
      for (let j = 1; j < 40; j += 2) {
        const a = 1 + i * 2 ** -12;
        const b = 1 + j * 2 ** -12;
        for (const c of [2 ** -60, -(2 ** -60), 2 ** -80, -(2 ** -90)]) {
          const want = exactFma(a, b, c, 24);
          expect(fma32(a, b, c)).toBe(want);
          if (Math.fround(a * b + c) !== want) naiveWrong++;
        }
      }
    }
    expect(naiveWrong).toBeGreaterThan(100); // the cases really are the hard ones
  });

  it('equals the exact single rounding on random float32 inputs with cancellation', () => {
    const r = rng(7);
    for (let k = 0; k < 20000; k++) {
      const a = Math.fround((r() - 0.5) * 2 ** Math.floor(r() * 20 - 10));
      const b = Math.fround((r() - 0.5) * 2 ** Math.floor(r() * 20 - 10));
      const c = k % 2 ? Math.fround(-a * b * (1 + (r() - 0.5) * 2 ** -20)) : Math.fround(r() - 0.5);
      expect(fma32(a, b, c)).toBe(exactFma(a, b, c, 24));
    }
  });
});

describe('fma64', () => {
  it('equals the exact single rounding, including near-total cancellation', () => {
    const r = rng(11);
    let naiveWrong = 0;
    for (let k = 0; k < 20000; k++) {
      const a = (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
      const b = (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
      const c = k % 2 ? -(a * b) * (1 + (r() - 0.5) * 2 ** -30) : (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
      const want = exactFma(a, b, c, 53);
      expect(fma64(a, b, c)).toBe(want);
      if (a * b + c !== want) naiveWrong++;
    }
    expect(naiveWrong).toBeGreaterThan(5000);
  });

  it('recovers the rounding error of a product exactly', () => {
    const a = 1 + 2 ** -30;
    const b = 1 - 2 ** -30;
    // a * b = 1 - 2^-60 exactly; the double product rounds to 1.
    expect(fma64(a, b, -1)).toBe(-(2 ** -60));
    expect(a * b - 1).toBe(0);
  });
});
