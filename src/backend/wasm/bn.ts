import type { BatchNormGrads, BatchNormMoments } from '../kernels';
import { take } from '../js/pool';
import { bnModuleBytes } from './bn-module';
import { WA, type WasmMemory } from './api';

/**
 * BatchNorm kernels for S = 1 ([N, C], BatchNorm1d) on the wasm f64x2 sweeps
 * of bn-module.ts; same formulas, same order, same bits as the scalar loops in
 * js/batchnorm.ts, which call these above a size threshold (the column-block
 * sweeps when C is a multiple of 4, the row sweeps otherwise). One private
 * (non-shared) memory: [tensor 0][tensor 1][tensor 2][channel arrays], grown on demand.
 */
type Fn = (...args: number[]) => void;
type SweepName = 'colSum' | 'colSqDev' | 'colGradSums' | 'affine' | 'scale' | 'bwdTrain';
type Exports = Record<SweepName, Fn>;

const PAGE = 65536,
  MAX_PAGES = 16384;
let mem: WasmMemory | undefined;
let raw: Record<string, Fn> | undefined;
const picked = new Map<string, Exports>();

/**
 * The sweeps for c channels: the column-block ones (bn-module.ts COL_SWEEPS) with
 * the most pairs per block that divide c, else the row sweeps. Same bits either way.
 */
function sweepsFor(c: number): Exports {
  const key = c % 8 === 0 ? 8 : c % 4 === 0 ? 4 : 0;
  let e = picked.get(String(key));
  if (!e) {
    const r = raw as Record<string, Fn>;
    const pick = (name: SweepName): Fn => {
      if (key === 8 && r[`${name}_p4`]) return r[`${name}_p4`];
      if (key >= 4 && r[`${name}_p2`]) return r[`${name}_p2`];
      return r[name];
    };
    e = {
      colSum: pick('colSum'),
      colSqDev: pick('colSqDev'),
      colGradSums: pick('colGradSums'),
      affine: pick('affine'),
      scale: pick('scale'),
      bwdTrain: pick('bwdTrain'),
    };
    picked.set(String(key), e);
  }
  return e;
}

const align = (x: number) => Math.ceil(x / 64) * 64;

/** Lays out `tensors` float32 arrays of n*c (plus slack) and `channels` float64 arrays of even length. */
function layout(n: number, c: number, tensors: number, channels: number) {
  if (!mem) {
    mem = new WA.Memory({ initial: 1, maximum: MAX_PAGES });
    raw = new WA.Instance(new WA.Module(bnModuleBytes(1, MAX_PAGES)), { env: { mem } }).exports as Record<string, Fn>;
  }
  const tBytes = align(n * c * 4 + 16),
    cEven = c + (c & 1),
    chBytes = align(cEven * 8);
  const t = Array.from({ length: tensors }, (_, i) => i * tBytes);
  const ch = Array.from({ length: channels }, (_, i) => tensors * tBytes + i * chBytes);
  const end = tensors * tBytes + channels * chBytes;
  const have = mem.buffer.byteLength;
  if (end > have) mem.grow(Math.ceil((end - have) / PAGE));
  const f32 = new Float32Array(mem.buffer),
    f64 = new Float64Array(mem.buffer);
  f64.fill(0, ch[0] / 8, end / 8);
  return { t, ch, f32, f64, ex: sweepsFor(c) };
}

/** out[ch] = sum over b of x[b, ch] for x [n, c]: float64, b ascending, rounded once (reduce's sum over leading axes). */
export function colSumRows(x: Float32Array, n: number, c: number): Float32Array {
  const {
    t,
    ch: [sum],
    f32,
    f64,
    ex: e,
  } = layout(n, c, 1, 1);
  f32.set(x, t[0] / 4);
  e.colSum(t[0], n, c, sum);
  const out = new Float32Array(c);
  for (let k = 0; k < c; k++) out[k] = f64[sum / 8 + k];
  return out;
}

export function bnStatsRows(x: Float32Array, n: number, c: number): BatchNormMoments<Float32Array> {
  const {
    t,
    ch: [sum, ss],
    f32,
    f64,
    ex: e,
  } = layout(n, c, 1, 2);
  f32.set(x, t[0] / 4);
  e.colSum(t[0], n, c, sum);
  for (let k = 0; k < c; k++) f64[sum / 8 + k] /= n; // the float64 mean
  e.colSqDev(t[0], n, c, sum, ss);
  const mean = new Float32Array(c),
    varBiased = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    mean[k] = f64[sum / 8 + k];
    varBiased[k] = f64[ss / 8 + k] / n;
  }
  return { mean, varBiased };
}

export function bnForwardRows(
  x: Float32Array,
  n: number,
  c: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
): Float32Array {
  const {
    t,
    ch: [alpha, beta],
    f32,
    f64,
    ex: e,
  } = layout(n, c, 2, 2);
  for (let k = 0; k < c; k++) {
    const a = invstd[k] * (weight ? weight[k] : 1);
    f64[alpha / 8 + k] = a;
    f64[beta / 8 + k] = (bias ? bias[k] : 0) - mean[k] * a;
  }
  f32.set(x, t[0] / 4);
  e.affine(t[0], t[1], n, c, alpha, beta);
  const y = take(n * c);
  y.set(f32.subarray(t[1] / 4, t[1] / 4 + n * c));
  return y;
}

export function bnBackwardRows(
  gy: Float32Array,
  x: Float32Array,
  n: number,
  c: number,
  mean: Float32Array,
  invstd: Float32Array,
  weight: Float32Array | null,
  batchStats: boolean,
  needWeightGrads: boolean,
): BatchNormGrads<Float32Array> {
  const {
    t,
    ch: [m, is, accG, accGX, sc],
    f32,
    f64,
    ex: e,
  } = layout(n, c, 3, 5);
  const [tgy, tx, tgx] = t;
  for (let k = 0; k < c; k++) {
    f64[m / 8 + k] = mean[k];
    f64[is / 8 + k] = invstd[k];
    f64[sc / 8 + k] = (weight ? weight[k] : 1) * invstd[k];
  }
  f32.set(gy, tgy / 4);
  let gw: Float32Array | null = null,
    gb: Float32Array | null = null;
  if (batchStats || needWeightGrads) {
    f32.set(x, tx / 4);
    e.colGradSums(tgy, tx, n, c, m, is, accG, accGX);
    if (needWeightGrads) {
      gw = new Float32Array(c);
      gb = new Float32Array(c);
      for (let k = 0; k < c; k++) {
        gw[k] = f64[accGX / 8 + k];
        gb[k] = f64[accG / 8 + k];
      }
    }
  }
  if (batchStats) {
    // k2 = sum(gy) / M and k3 = sum(gy * xhat) / M, in place of the sums.
    for (let k = 0; k < c; k++) {
      f64[accG / 8 + k] /= n;
      f64[accGX / 8 + k] /= n;
    }
    e.bwdTrain(tgy, tx, tgx, n, c, m, is, sc, accG, accGX);
  } else {
    e.scale(tgy, tgx, n, c, sc);
  }
  const gradInput = take(n * c);
  gradInput.set(f32.subarray(tgx / 4, tgx / 4 + n * c));
  return { gradInput, gradWeight: gw, gradBias: gb };
}
