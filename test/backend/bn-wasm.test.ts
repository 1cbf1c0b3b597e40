/**
 * The wasm f64x2 BatchNorm sweeps for [N, C] (src/backend/wasm/bn.ts) claim
 * the same bits as the scalar float64 loops in src/backend/js/batchnorm.ts:
 * same sums, same order per channel. Checked bit for bit here, odd C included
 * (the last channel pair then reads and writes one float past the row), and C
 * a multiple of 4 or 8 (the column-block sweeps).
 */
import { describe, expect, it } from 'vitest';
// The js kernels with their WebAssembly paths, as src/backend composes them.
import '../../src/backend';
import {
  BN_WASM_MIN,
  batchNormBackwardLoop,
  batchNormForwardLoop,
  batchNormStatsLoop,
} from '../../src/backend/js/batchnorm';
import { bnBackwardRows, bnForwardRows, bnStatsRows } from '../../src/backend/wasm/bn';

function rand(n: number, seed: number, scale = 2, shift = 0): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return shift + scale * (s / 2 ** 32 - 0.5);
  });
}

/** Indices where the two arrays differ as bit patterns (first 3). */
function bitDiffs(a: Float32Array | null, b: Float32Array | null): string[] {
  if (a === null || b === null) return a === b ? [] : ['one is null'];
  if (a.length !== b.length) return [`lengths ${a.length} vs ${b.length}`];
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length),
    ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < 3; i++) if (ua[i] !== ub[i]) out.push(`[${i}] ${a[i]} vs ${b[i]}`);
  return out;
}

describe('wasm BatchNorm over [N, C]', () => {
  it('is used from N*C = BN_WASM_MIN on', () => {
    expect(BN_WASM_MIN).toBeGreaterThan(0);
  });

  // C a multiple of 8 (4 pairs per column block), of 4 only (2 pairs), and neither (row sweeps).
  const shapes: [number, number][] = [
    [1, 1],
    [3, 7],
    [10, 4],
    [33, 65],
    [64, 1],
    [256, 256],
    [7, 33],
    [3, 8],
    [17, 24],
    [5, 12],
  ];
  it.each(shapes)('%ix%i: stats, forward and backward are bitwise the scalar loops', (n, c) => {
    for (const [scale, shift] of [
      [2, 0],
      [0.2, 1e4],
    ]) {
      const x = rand(n * c, n * 31 + c, scale, shift),
        gy = rand(n * c, c * 17 + n),
        w = rand(c, 5),
        bias = rand(c, 6);
      const a = batchNormStatsLoop(x, n, c, 1),
        b = bnStatsRows(x, n, c);
      expect(bitDiffs(a.mean, b.mean), 'mean').toEqual([]);
      expect(bitDiffs(a.varBiased, b.varBiased), 'var').toEqual([]);
      const invstd = Float32Array.from(a.varBiased, (v) => 1 / Math.sqrt(v + 1e-5));
      for (const weight of [w, null]) {
        expect(
          bitDiffs(
            batchNormForwardLoop(x, n, c, 1, a.mean, invstd, weight, weight && bias),
            bnForwardRows(x, n, c, a.mean, invstd, weight, weight && bias),
          ),
          'forward',
        ).toEqual([]);
        for (const batchStats of [true, false]) {
          for (const needW of [true, false]) {
            const p = batchNormBackwardLoop(gy, x, n, c, 1, a.mean, invstd, weight, batchStats, needW);
            const q = bnBackwardRows(gy, x, n, c, a.mean, invstd, weight, batchStats, needW);
            const what = `backward batchStats=${batchStats} needW=${needW}`;
            expect(bitDiffs(p.gradInput, q.gradInput), what).toEqual([]);
            expect(bitDiffs(p.gradWeight, q.gradWeight), what).toEqual([]);
            expect(bitDiffs(p.gradBias, q.gradBias), what).toEqual([]);
          }
        }
      }
    }
  });
});
