import type { BatchNormGrads, BatchNormStats, HostKernels } from '../kernels';
import type { Runner } from './runner';
import * as js from '../js/batchnorm';
import { emptyProduct } from '../js/matmul';

/**
 * The gpu backend's own kernels (matmul and BatchNorm), each a gpu.js kernel
 * run by the active Runner; the rest come from the parent 'js' backend.
 */
let runner: Runner | undefined;
export function setRunner(r: Runner): void {
  runner = r;
}
export function activeRunner(): Runner {
  if (!runner) throw new Error("gpu backend: not set up; call setBackend('gpu', { mode })");
  return runner;
}

const onesCache = new Map<number, Float32Array>();
const zerosCache = new Map<number, Float32Array>();
/** Stand-ins for an absent affine weight (ones) or bias (zeros); never written to. */
function ones(c: number): Float32Array {
  let v = onesCache.get(c);
  if (!v) onesCache.set(c, (v = new Float32Array(c).fill(1)));
  return v;
}
function zeros(c: number): Float32Array {
  let v = zerosCache.get(c);
  if (!v) zerosCache.set(c, (v = new Float32Array(c)));
  return v;
}

function product(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float32Array {
  if (m * n === 0) return new Float32Array(0);
  if (k === 0) return new Float32Array(m * n);
  const constants = {
    n,
    k,
    aRow: transA ? 1 : k,
    aCol: transA ? m : 1,
    bRow: transB ? 1 : n,
    bCol: transB ? k : 1,
  };
  return activeRunner().run(
    {
      source: 'matmul',
      key: `matmul:${m}x${k}x${n}:${+transA}${+transB}`,
      constants,
      output: m * n,
      loopMax: k,
    },
    [a, b],
  );
}

/** The product on the device; an addmm bias is added here on the host, to the float32 result (the runner's array is fresh). */
export const matmul: HostKernels['matmul'] = (a, b, m, k, n, transA, transB, bias) => {
  if (k === 0) return emptyProduct(m, n, bias);
  const out = product(a, b, m, k, n, transA, transB);
  if (bias) {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += bias[j];
    }
  }
  return out;
};

/**
 * Per-channel statistics on the device. GPUs need not keep IEEE NaN and Inf through a
 * shader (WGSL and GLSL ES leave them to the implementation: max(0, NaN) came out 0), so a
 * channel whose result is not finite is computed again by the js loops, which give PyTorch's
 * NaN or Inf. Empty tensors go to the js loops too (gpu.js cannot make a 0-length output).
 */
export const batchNormStats: HostKernels['batchNormStats'] = (x, n, c, s, eps): BatchNormStats<Float32Array> => {
  const m = n * s;
  if (m * c === 0) return js.batchNormStats(x, n, c, s, eps);
  const r = activeRunner().run(
    {
      source: 'bnStats',
      key: `bnStats:${n}x${c}x${s}`,
      constants: { c, s, m },
      output: 2 * c,
      loopMax: m,
    },
    [x],
  );
  const moments = { mean: r.slice(0, c), varBiased: r.slice(c) };
  for (let ch = 0; ch < c; ch++) {
    if (!Number.isFinite(moments.mean[ch]) || !Number.isFinite(moments.varBiased[ch]))
      return js.batchNormStats(x, n, c, s, eps);
  }
  return js.withInvstd(moments, eps);
};

export const batchNormForward: HostKernels['batchNormForward'] = (x, n, c, s, mean, invstd, weight, bias) =>
  n * c * s === 0
    ? js.batchNormForward(x, n, c, s, mean, invstd, weight, bias)
    : activeRunner().run(
        {
          source: 'bnForward',
          key: `bnForward:${n}x${c}x${s}`,
          constants: { c, s },
          output: n * c * s,
          loopMax: 1,
        },
        [x, mean, invstd, weight ?? ones(c), bias ?? zeros(c)],
      );

export const batchNormBackward: HostKernels['batchNormBackward'] = (
  gy,
  x,
  n,
  c,
  s,
  mean,
  invstd,
  weight,
  batchStats,
  needWeightGrads,
): BatchNormGrads<Float32Array> => {
  if (n * c * s === 0) return js.batchNormBackward(gy, x, n, c, s, mean, invstd, weight, batchStats, needWeightGrads);
  const R = activeRunner();
  const m = n * s;
  const w = weight ?? ones(c);
  let sums: Float32Array | null = null;
  if (batchStats || needWeightGrads) {
    sums = R.run(
      {
        source: 'bnBackwardSums',
        key: `bnBackwardSums:${n}x${c}x${s}`,
        constants: { c, s, m },
        output: 2 * c,
        loopMax: m,
      },
      [gy, x, mean, invstd],
    );
  }
  const gradInput = batchStats
    ? R.run(
        {
          source: 'bnBackwardTrain',
          key: `bnBackwardTrain:${n}x${c}x${s}`,
          constants: { c, s, m },
          output: n * c * s,
          loopMax: 1,
        },
        [gy, x, mean, invstd, w, sums as Float32Array],
      )
    : R.run(
        {
          source: 'bnBackwardEval',
          key: `bnBackwardEval:${n}x${c}x${s}`,
          constants: { c, s },
          output: n * c * s,
          loopMax: 1,
        },
        [gy, invstd, w],
      );
  return {
    gradInput,
    gradWeight: needWeightGrads && sums ? sums.slice(c) : null,
    gradBias: needWeightGrads && sums ? sums.slice(0, c) : null,
  };
};
