import { flag } from '../../config/flags';
import type { BatchNormGrads, BatchNormMoments, BatchNormStats } from '../kernels';
import { simd } from './simd';
import { take } from './pool';

/**
 * N*C at or above which BatchNorm over [N, C] (S = 1) runs the wasm f64x2
 * sweeps of src/backend/wasm/bn.ts: the same float64 sums in the same order,
 * so the same bits, several times faster (the loops below are bound by
 * their float64 dependency chains; 3.5x at 256x256). Below it (crossover
 * measured near 512-1024) copying in and out costs more. Up to WASM_MAX_ELEMENTS.
 */
export const BN_WASM_MIN = flag('RXNN_BN_WASM_MIN');

/** x[b, ch, j] of a tensor viewed as [N, C, S] lives at (b * C + ch) * S + j. */
export function batchNormStats(
  x: Float32Array,
  n: number,
  c: number,
  s: number,
  eps: number,
): BatchNormStats<Float32Array> {
  const moments =
    s === 1 && n * c >= BN_WASM_MIN && n * c <= simd.maxElements
      ? simd.bnStatsRows(x, n, c)
      : batchNormStatsLoop(x, n, c, s);
  return withInvstd(moments, eps);
}

/** invstd = 1 / sqrt(varBiased + eps) in float64, rounded once (PyTorch's CPU kernel computes it in double). */
export function withInvstd(moments: BatchNormMoments<Float32Array>, eps: number): BatchNormStats<Float32Array> {
  const c = moments.varBiased.length,
    invstd = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) invstd[ch] = 1 / Math.sqrt(moments.varBiased[ch] + eps);
  return { mean: moments.mean, varBiased: moments.varBiased, invstd };
}

/** Kernels.batchNormUpdateStats, in float64 with one rounding per store. */
export function batchNormUpdateStats(
  runningMean: Float32Array | null,
  runningVar: Float32Array | null,
  mean: Float32Array,
  varBiased: Float32Array,
  momentum: number,
  m: number,
): void {
  if (runningMean)
    for (let ch = 0; ch < runningMean.length; ch++)
      runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean[ch];
  if (runningVar)
    for (let ch = 0; ch < runningVar.length; ch++)
      runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * varBiased[ch] * (m / (m - 1));
}

export function batchNormStatsLoop(x: Float32Array, n: number, c: number, s: number): BatchNormMoments<Float32Array> {
  const mean = new Float32Array(c);
  const varBiased = new Float32Array(c);
  const count = n * s;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let j = 0; j < s; j++) sum += x[base + j];
    }
    const m = sum / count;
    let ss = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let j = 0; j < s; j++) {
        const d = x[base + j] - m;
        ss += d * d;
      }
    }
    mean[ch] = m;
    varBiased[ch] = ss / count;
  }
  return { mean, varBiased };
}

export function batchNormForward(
  x: Float32Array,
  n: number,
  c: number,
  s: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
): Float32Array {
  if (s === 1 && n * c >= BN_WASM_MIN && n * c <= simd.maxElements)
    return simd.bnForwardRows(x, n, c, mean, invstd, weight, bias);
  return batchNormForwardLoop(x, n, c, s, mean, invstd, weight, bias);
}

export function batchNormForwardLoop(
  x: Float32Array,
  n: number,
  c: number,
  s: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
): Float32Array {
  const y = take(x.length);
  for (let ch = 0; ch < c; ch++) {
    // Folded into one scale and shift per channel: y = x * alpha + beta.
    const alpha = invstd[ch] * (weight ? weight[ch] : 1);
    const beta = (bias ? bias[ch] : 0) - mean[ch] * alpha;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let j = 0; j < s; j++) y[base + j] = x[base + j] * alpha + beta;
    }
  }
  return y;
}

export function batchNormBackward(
  gy: Float32Array,
  x: Float32Array,
  n: number,
  c: number,
  s: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  batchStats: boolean,
  needWeightGrads: boolean,
): BatchNormGrads<Float32Array> {
  if (s === 1 && n * c >= BN_WASM_MIN && n * c <= simd.maxElements)
    return simd.bnBackwardRows(gy, x, n, c, mean, invstd, weight, batchStats, needWeightGrads);
  return batchNormBackwardLoop(gy, x, n, c, s, mean, invstd, weight, batchStats, needWeightGrads);
}

export function batchNormBackwardLoop(
  gy: Float32Array,
  x: Float32Array,
  n: number,
  c: number,
  s: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  batchStats: boolean,
  needWeightGrads: boolean,
): BatchNormGrads<Float32Array> {
  const gx = take(x.length);
  const gw = needWeightGrads ? new Float32Array(c) : null;
  const gb = needWeightGrads ? new Float32Array(c) : null;
  const count = n * s;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch],
      is = invstd[ch];
    let sumG = 0,
      sumGXhat = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let j = 0; j < s; j++) {
        const g = gy[base + j];
        sumG += g;
        sumGXhat += g * (x[base + j] - m) * is;
      }
    }
    if (gw && gb) {
      gw[ch] = sumGXhat;
      gb[ch] = sumG;
    }
    const w = weight ? weight[ch] : 1;
    const scale = w * is;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let j = 0; j < s; j++) {
        const i = base + j;
        gx[i] = batchStats ? scale * (gy[i] - sumG / count - (x[i] - m) * is * (sumGXhat / count)) : gy[i] * scale;
      }
    }
  }
  return { gradInput: gx, gradWeight: gw, gradBias: gb };
}
