/**
 * The wasm SIMD sgemm directly, on the calling thread and with workers, for
 * shapes that exercise every edge: partial 4-row and 8-column tiles, k past
 * one 256-deep block, all transposes. Bound as in kernels.test.ts:
 * |err| <= (k + 2) u sum_p |A[i,p] B[p,j]|.
 */
import { describe, expect, it } from 'vitest';
import { gemm, gemmConfig } from '../../src/backend/wasm/gemm';
import { matmulScaleRef } from '../helpers/reference';

const U = 2 ** -24;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function check(m: number, k: number, n: number, tA: boolean, tB: boolean, parallel: boolean): string[] {
  const a = rand(m * k, m * 7 + k),
    b = rand(k * n, n * 3 + k);
  const got = gemm(a, b, m, k, n, tA, tB, parallel);
  const bad: string[] = [];
  if (got.length !== m * n) return [`length ${got.length}`];
  const { out, scale } = matmulScaleRef(a, b, m, k, n, tA, tB);
  for (let i = 0; i < m * n; i++) {
    if (!(Math.abs(got[i] - out[i]) <= (k + 2) * U * scale[i]) && bad.length < 3)
      bad.push(`[${Math.floor(i / n)},${i % n}] ${got[i]} vs ${out[i]}`);
  }
  return bad;
}

describe('wasm sgemm', () => {
  it('reports its configuration', () => {
    const c = gemmConfig();
    console.log(`wasm sgemm: ${c.threads} threads, fma ${c.fma}, workers from ${c.parallelMinFlops} flops`);
    expect(c.threads).toBeGreaterThanOrEqual(1);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [5, 9, 9],
    [33, 1, 65],
    [65, 33, 7],
    [1, 300, 1],
    [2, 513, 3],
    [97, 257, 41],
    [128, 64, 200],
  ];
  for (const parallel of [false, true]) {
    it.each(shapes)(`%ix%ix%i, all transposes, workers ${parallel}`, (m, k, n) => {
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          expect(check(m, k, n, tA, tB, parallel), `tA=${tA} tB=${tB}`).toEqual([]);
        }
    });
  }

  it.each([
    [5, 9, 9],
    [65, 33, 7],
    [2, 513, 3],
    [97, 257, 41],
    [128, 64, 200],
  ])('%ix%ix%i with a bias: bitwise the product then + bias (bias on the last k block)', (m, k, n) => {
    for (const parallel of [false, true])
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const a = rand(m * k, m * 5 + k),
            b = rand(k * n, n * 11 + k),
            bias = rand(n, m + n);
          const plain = gemm(a, b, m, k, n, tA, tB, parallel);
          const got = gemm(a, b, m, k, n, tA, tB, parallel, bias);
          const want = Float32Array.from(plain, (v, i) => v + bias[i % n]);
          expect(
            new Uint32Array(got.buffer, got.byteOffset, got.length),
            `tA=${tA} tB=${tB} workers ${parallel}`,
          ).toEqual(new Uint32Array(want.buffer));
        }
  });

  it('reuses its memory across calls of different sizes without stale values', () => {
    expect(check(200, 300, 100, false, false, true)).toEqual([]);
    expect(check(9, 10, 11, false, true, true)).toEqual([]);
    expect(check(9, 10, 11, false, true, false)).toEqual([]);
  });

  it('returns fresh arrays that later calls do not overwrite', () => {
    const a = new Float32Array([1, 2, 3, 4]),
      b = new Float32Array([1, 0, 0, 1]);
    const first = gemm(a, b, 2, 2, 2, false, false, false);
    gemm(new Float32Array(4).fill(9), b, 2, 2, 2, false, false, false);
    expect(Array.from(first)).toEqual([1, 2, 3, 4]);
    expect(first.buffer instanceof ArrayBuffer).toBe(true);
  });
});
