/**
 * BatchNorm on the device, x viewed as [N, C, S] (x[b, ch, j] at
 * (b * C + ch) * S + j), the js backend's formulas (src/backend/js/batchnorm.ts)
 * in float32 with compensated sums (common.ts WGSL_SUMS):
 * - bnStats: one workgroup per channel; mean = sum(x) / M, then (two-pass,
 *   corrected) varBiased = (sum(d^2) - sum(d)^2 / M) / M with d = x - mean, and
 *   invstd = 1 / sqrt(varBiased + eps), M = N * S;
 * - bnForward: elementwise, y = fma(x, alpha, beta), alpha = invstd * w, beta = fma(-mean, alpha, b);
 * - bnBackward 'wg' (batch statistics or weight grads wanted): one workgroup per
 *   channel sums sumG = sum(gy) and sumGXhat = sum(gy * xhat), xhat = (x - mean) * invstd,
 *   then writes gx = w * invstd * (gy - sumG / M - xhat * (sumGXhat / M)) (batch statistics)
 *   or gy * (w * invstd); 'ew': only the latter, elementwise;
 * - bnUpdate: running statistics, in place, per channel.
 */
import { ELEMENT_MAIN, KernelSource, WG, WGSL_SPECIALS, WGSL_SUMS, wgslTree } from './common';

/** n, c, s; m = f32(N * S); flags as per kernel; zero for WGSL_SUMS. */
export const BN_PARAMS =
  'struct Params { n : u32, c : u32, s : u32, flags : u32, m : f32, eps : f32, zero : u32, p1 : u32 }';
/** BN_PARAMS, m = f32(n * s) (elementwise.ts's packers: u and f views of the parameter slots, w the first word). */
export function packBn(
  u: Uint32Array,
  f: Float32Array,
  w: number,
  n: number,
  c: number,
  s: number,
  flags: number,
  eps: number,
): void {
  u[w] = n;
  u[w + 1] = c;
  u[w + 2] = s;
  u[w + 3] = flags;
  f[w + 4] = n * s;
  f[w + 5] = eps;
  u[w + 6] = 0; // zero (common.ts WGSL_SUMS)
}

/** BN_EW_PARAMS (bnForward, bnBackward 'ew'). */
export const BN_EW_PARAMS = 'struct Params { len : u32, c : u32, s : u32, flags : u32 }';
export function packBnElementwise(u: Uint32Array, w: number, len: number, c: number, s: number, flags: number): void {
  u[w] = len;
  u[w + 1] = c;
  u[w + 2] = s;
  u[w + 3] = flags;
}

export const BN_UPDATE_PARAMS =
  'struct Params { len : u32, flags : u32, p0 : u32, p1 : u32, keep : f32, mom : f32, unbias : f32, p2 : f32 }';
export function packBnUpdate(
  u: Uint32Array,
  f: Float32Array,
  w: number,
  c: number,
  flags: number,
  keep: number,
  mom: number,
  unbias: number,
): void {
  u[w] = c;
  u[w + 1] = flags;
  f[w + 4] = keep;
  f[w + 5] = mom;
  f[w + 6] = unbias;
}
/** bnBackward 'wg' flags. */
export const BN_BATCH_STATS = 1,
  BN_HAS_W = 2,
  BN_GRAD_W = 4,
  BN_GRAD_B = 8;
/** bnForward flags (BN_HAS_W also), and bnUpdate's: running mean 1, running var 2. */
export const BN_HAS_B = 4;

/** Workgroup-per-channel kernels: channel `ch` (a 2-D grid beyond 65535), thread `t`, and addr(e) of its e-th value. */
const CHANNEL_MAIN = [
  `@compute @workgroup_size(${WG})`,
  'fn main(@builtin(local_invocation_index) t : u32, @builtin(workgroup_id) wid : vec3<u32>,',
  '        @builtin(num_workgroups) nwg : vec3<u32>) {',
  '  let ch = wid.y * nwg.x + wid.x;',
  '  if (ch >= P.c) { return; }',
  '  let count = P.n * P.s;',
].join('\n');

const ADDR = `
fn addr(e : u32, ch : u32) -> u32 {
  if (P.s == 1u) { return e * P.c + ch; }
  let b = e / P.s;
  return (b * P.c + ch) * P.s + (e - b * P.s);
}`;

export function bnStatsSource(): KernelSource {
  return {
    bindings: 'rwwwu',
    wgsl: [
      '// rxnn-wgsl bnStats: per channel mean, biased variance (two-pass), invstd',
      WGSL_SPECIALS,
      WGSL_SUMS,
      BN_PARAMS,
      '@group(0) @binding(0) var<storage, read> X : array<f32>;',
      '@group(0) @binding(1) var<storage, read_write> Mean : array<f32>;',
      '@group(0) @binding(2) var<storage, read_write> Var : array<f32>;',
      '@group(0) @binding(3) var<storage, read_write> Inv : array<f32>;',
      '@group(0) @binding(4) var<uniform> P : Params;',
      `var<workgroup> shS : array<vec2<f32>, ${WG}>;`,
      `var<workgroup> shD : array<vec2<f32>, ${WG}>;`,
      ADDR,
      CHANNEL_MAIN,
      '  var acc = vec2<f32>(0.0);',
      `  for (var e = t; e < count; e = e + ${WG}u) { acc = rx_add(acc, X[addr(e, ch)]); }`,
      wgslTree('S', 'acc'),
      // An empty channel has no mean (0 / 0): NaN, as in float64.
      '  let mean = select(rx_total(shS[0]) / P.m, rx_nan(), count == 0u);',
      '  workgroupBarrier();',
      // The corrected two-pass form: sum(d)^2 / M takes out what the f32 rounding of mean adds to sum(d^2).
      '  var sq = vec2<f32>(0.0);',
      '  var sd = vec2<f32>(0.0);',
      `  for (var e = t; e < count; e = e + ${WG}u) { let d = X[addr(e, ch)] - mean; sq = rx_add(sq, d * d); sd = rx_add(sd, d); }`,
      wgslTree('S', 'sq'),
      wgslTree('D', 'sd'),
      '  if (t == 0u) {',
      '    let dsum = rx_total(shD[0]);',
      '    let v = select((rx_total(shS[0]) - dsum * (dsum / P.m)) / P.m, rx_nan(), count == 0u);',
      '    Mean[ch] = mean;',
      '    Var[ch] = v;',
      '    Inv[ch] = 1.0 / sqrt(v + P.eps);',
      '  }',
      '}',
    ].join('\n'),
  };
}

/** Elementwise over n * c * s values (P.n holds the count): channel (i / s) % c. */
export function bnForwardSource(): KernelSource {
  return {
    bindings: 'rrrrrwu',
    wgsl: [
      '// rxnn-wgsl bnForward: y = x * alpha + beta per channel',
      BN_EW_PARAMS,
      '@group(0) @binding(0) var<storage, read> X : array<f32>;',
      '@group(0) @binding(1) var<storage, read> Mean : array<f32>;',
      '@group(0) @binding(2) var<storage, read> Inv : array<f32>;',
      '@group(0) @binding(3) var<storage, read> W : array<f32>;',
      '@group(0) @binding(4) var<storage, read> Bias : array<f32>;',
      '@group(0) @binding(5) var<storage, read_write> Y : array<f32>;',
      '@group(0) @binding(6) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  let ch = (i / P.s) % P.c;',
      '  var alpha = Inv[ch];',
      `  if ((P.flags & ${BN_HAS_W}u) != 0u) { alpha = alpha * W[ch]; }`,
      '  var b = 0.0;',
      `  if ((P.flags & ${BN_HAS_B}u) != 0u) { b = Bias[ch]; }`,
      '  Y[i] = fma(X[i], alpha, fma(-Mean[ch], alpha, b));',
      '}',
    ].join('\n'),
  };
}

export function bnBackwardSource(variant: 'wg' | 'ew'): KernelSource {
  if (variant === 'ew') {
    return {
      bindings: 'rrrwu',
      wgsl: [
        '// rxnn-wgsl bnBackward ew: gx = gy * (w * invstd)',
        BN_EW_PARAMS,
        '@group(0) @binding(0) var<storage, read> GY : array<f32>;',
        '@group(0) @binding(1) var<storage, read> Inv : array<f32>;',
        '@group(0) @binding(2) var<storage, read> W : array<f32>;',
        '@group(0) @binding(3) var<storage, read_write> GX : array<f32>;',
        '@group(0) @binding(4) var<uniform> P : Params;',
        ELEMENT_MAIN,
        '  let ch = (i / P.s) % P.c;',
        '  var scale = Inv[ch];',
        `  if ((P.flags & ${BN_HAS_W}u) != 0u) { scale = W[ch] * scale; }`,
        '  GX[i] = GY[i] * scale;',
        '}',
      ].join('\n'),
    };
  }
  return {
    bindings: 'rrrrrwwwu',
    wgsl: [
      '// rxnn-wgsl bnBackward wg: per channel sums, then gx; gradWeight = sumGXhat, gradBias = sumG',
      WGSL_SPECIALS,
      WGSL_SUMS,
      BN_PARAMS,
      '@group(0) @binding(0) var<storage, read> GY : array<f32>;',
      '@group(0) @binding(1) var<storage, read> X : array<f32>;',
      '@group(0) @binding(2) var<storage, read> Mean : array<f32>;',
      '@group(0) @binding(3) var<storage, read> Inv : array<f32>;',
      '@group(0) @binding(4) var<storage, read> W : array<f32>;',
      '@group(0) @binding(5) var<storage, read_write> GX : array<f32>;',
      '@group(0) @binding(6) var<storage, read_write> GW : array<f32>;',
      '@group(0) @binding(7) var<storage, read_write> GB : array<f32>;',
      '@group(0) @binding(8) var<uniform> P : Params;',
      `var<workgroup> shG : array<vec2<f32>, ${WG}>;`,
      `var<workgroup> shX : array<vec2<f32>, ${WG}>;`,
      ADDR,
      CHANNEL_MAIN,
      '  let mean = Mean[ch];',
      '  let inv = Inv[ch];',
      '  var g = vec2<f32>(0.0);',
      '  var gx = vec2<f32>(0.0);',
      `  for (var e = t; e < count; e = e + ${WG}u) {`,
      '    let k = addr(e, ch);',
      '    let v = GY[k];',
      '    g = rx_add(g, v);',
      '    gx = rx_add(gx, v * ((X[k] - mean) * inv));',
      '  }',
      wgslTree('G', 'g'),
      wgslTree('X', 'gx'),
      '  let sumG = rx_total(shG[0]);',
      '  let sumGX = rx_total(shX[0]);',
      '  if (t == 0u) {',
      `    if ((P.flags & ${BN_GRAD_W}u) != 0u) { GW[ch] = sumGX; }`,
      `    if ((P.flags & ${BN_GRAD_B}u) != 0u) { GB[ch] = sumG; }`,
      '  }',
      '  var scale = inv;',
      `  if ((P.flags & ${BN_HAS_W}u) != 0u) { scale = W[ch] * inv; }`,
      `  if ((P.flags & ${BN_BATCH_STATS}u) != 0u) {`,
      '    let a = sumG / P.m;',
      '    let q = sumGX / P.m;',
      `    for (var e = t; e < count; e = e + ${WG}u) {`,
      '      let k = addr(e, ch);',
      '      GX[k] = scale * (GY[k] - a - (X[k] - mean) * inv * q);',
      '    }',
      '  } else {',
      `    for (var e = t; e < count; e = e + ${WG}u) { let k = addr(e, ch); GX[k] = GY[k] * scale; }`,
      '  }',
      '}',
    ].join('\n'),
  };
}

/** Running statistics, in place: rm = fma(keep, rm, mom * mean), rv = fma(keep, rv, mom * var * unbias). */
export function bnUpdateSource(): KernelSource {
  return {
    bindings: 'rrwwu',
    wgsl: [
      '// rxnn-wgsl bnUpdate: running mean and variance, momentum update',
      BN_UPDATE_PARAMS,
      '@group(0) @binding(0) var<storage, read> Mean : array<f32>;',
      '@group(0) @binding(1) var<storage, read> Var : array<f32>;',
      '@group(0) @binding(2) var<storage, read_write> RM : array<f32>;',
      '@group(0) @binding(3) var<storage, read_write> RV : array<f32>;',
      '@group(0) @binding(4) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  if ((P.flags & 1u) != 0u) { RM[i] = fma(P.keep, RM[i], P.mom * Mean[i]); }',
      '  if ((P.flags & 2u) != 0u) { RV[i] = fma(P.keep, RV[i], P.mom * Var[i] * P.unbias); }',
      '}',
    ].join('\n'),
  };
}
