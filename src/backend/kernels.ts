import type { Storage } from './storage';

/**
 * The backend interface: the few primitive kernels the engine is built from.
 *
 * Every tensor op in `src/tensor/` is written in terms of these; a backend that
 * implements them all runs the whole engine. Kernels take and return storages
 * (opaque handles to flat row-major float32 values: `storage.ts`) plus the sizes
 * they need, and never keep references to their inputs. Every storage a kernel
 * returns is fresh: nothing else references it, so the engine may keep it as a
 * leaf's gradient without copying (src/tensor/lifetime.ts).
 *
 * `KernelsOver<B>` is the same interface over any buffer type: the engine calls
 * `Kernels` (over Storage); a host backend writes `HostKernels` (over
 * Float32Array) and `host-kernels.ts` adapts them.
 *
 * Conventions
 * - `shape` arrays are row-major; broadcasting follows NumPy/PyTorch rules and
 *   `outShape` is the broadcast shape, computed by the caller.
 * - Reductions accumulate in float64 (PyTorch's CPU `acc_type<float>` is double)
 *   and round once to float32.
 * - BatchNorm views its input as [N, C, S] (S = product of spatial sizes, 1 for [N, C]).
 */
/**
 * The unary ops every backend implements, declared once: the types, the js expressions and the
 * WGSL kernels are all keyed by this list. `copy` is the identity, bit for bit (clone, and saving
 * state a step may have to put back); `abs` maps -0 to +0 and keeps NaN.
 */
export const UNARY_OPS = ['neg', 'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'tanh', 'abs', 'copy'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
/**
 * Binary ops. `reluGrad` is ReLU's backward in one pass (PyTorch's threshold_backward):
 * b <= 0 ? 0 : a, with a the incoming gradient and b ReLU's input (so a NaN b passes a on).
 */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'gt', 'reluGrad'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
/** Reductions: `argmax` returns indices as floats. */
export const REDUCE_OPS = ['sum', 'max', 'argmax'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export interface BatchNormStats<B = Storage> {
  /** Per-channel mean over N and S. */
  mean: B;
  /** Per-channel biased variance: sum((x - mean)^2) / (N * S), two-pass in float64. */
  varBiased: B;
  /** Per-channel 1 / sqrt(varBiased + eps), computed in float64 from the float32 varBiased, rounded once. */
  invstd: B;
}

/** What the statistics sweeps compute; the kernel adds invstd (BatchNormStats). */
export type BatchNormMoments<B = Storage> = Pick<BatchNormStats<B>, 'mean' | 'varBiased'>;

export interface BatchNormGrads<B = Storage> {
  gradInput: B;
  /** null when the layer has no affine weight. */
  gradWeight: B | null;
  gradBias: B | null;
}

/**
 * The kernels over buffers of type `B`. Plain functions (no `this`): the engine swaps them in and
 * out of K, and passes them around.
 */
export interface KernelsOver<B> {
  /** out = x mapped through `op`, elementwise. */
  unary: (op: UnaryOp, x: B) => B;
  /** out[i] = op(a[bcast(i)], b[bcast(i)]) over `outShape`. */
  binary: (
    op: BinaryOp,
    a: B,
    aShape: readonly number[],
    b: B,
    bShape: readonly number[],
    outShape: readonly number[],
  ) => B;
  /**
   * Reduce `x` of `shape` over the sorted, distinct `axes` (the reduced axes are
   * kept with size 1 in the output's logical shape). `argmax` returns indices as floats.
   */
  reduce: (op: ReduceOp, x: B, shape: readonly number[], axes: readonly number[]) => B;
  /**
   * Per-slice variance over `axes` with divisor (count - correction); two-pass in
   * float64 so that data with a large mean keeps its small spread.
   */
  variance: (x: B, shape: readonly number[], axes: readonly number[], correction: number) => B;
  /**
   * out[m, n] = sum_k A[m, k] * B[k, n], where A is stored [k, m] when transA
   * and B is stored [n, k] when transB. With `bias` (length n) it is PyTorch's
   * addmm: out[m, n] = f32(f32(sum) + bias[n]), the sum rounded to float32 first,
   * so the same bits as matmul followed by a broadcast binary add, in one output buffer;
   * with k = 0 (no products) it is the bias as it is, a -0 included, as PyTorch gives it.
   */
  matmul: (a: B, b: B, m: number, k: number, n: number, transA: boolean, transB: boolean, bias?: B | null) => B;
  /** Reorder the axes of `x` (a row-major tensor of `shape`): out axis i = input axis perm[i]. */
  permute: (x: B, shape: readonly number[], perm: readonly number[]) => B;
  /** out[r] = x[index[r]] for rows of length `rowSize`. */
  gatherRows: (x: B, rowSize: number, index: readonly number[]) => B;
  /** out (numRows rows) with out[index[r]] += g[r]: the adjoint of gatherRows. */
  scatterAddRows: (g: B, rowSize: number, index: readonly number[], numRows: number) => B;
  /** Mean, biased variance and invstd per channel of x viewed as [N, C, S]. */
  batchNormStats: (x: B, n: number, c: number, s: number, eps: number) => BatchNormStats<B>;
  /**
   * In place, each statistic given (PyTorch's running-statistics update, M = N * S):
   *   runningMean = (1 - momentum) * runningMean + momentum * mean
   *   runningVar  = (1 - momentum) * runningVar  + momentum * varBiased * M / (M - 1)
   */
  batchNormUpdateStats: (
    runningMean: B | null,
    runningVar: B | null,
    mean: B,
    varBiased: B,
    momentum: number,
    m: number,
  ) => void;
  /** y = (x - mean[c]) * invstd[c] * weight[c] + bias[c] (weight/bias null: 1 and 0). */
  batchNormForward: (x: B, n: number, c: number, s: number, mean: B, invstd: B, weight: B | null, bias: B | null) => B;
  /**
   * Gradients of batchNormForward. With `batchStats` the mean and invstd are
   * functions of x (training, or no running stats):
   *   gx = w * invstd / M * (M * gy - sum(gy) - xhat * sum(gy * xhat)),  M = N * S;
   * otherwise they are constants and gx = gy * w * invstd.
   * gradWeight = sum(gy * xhat), gradBias = sum(gy), per channel.
   */
  batchNormBackward: (
    gy: B,
    x: B,
    n: number,
    c: number,
    s: number,
    mean: B,
    invstd: B,
    weight: B | null,
    batchStats: boolean,
    needWeightGrads: boolean,
  ) => BatchNormGrads<B>;
  /**
   * In-place SGD update, PyTorch 1.13's rule and roundings. Its scalars are float32, as
   * PyTorch casts an op's alpha to the tensor's type: lr, momentum, weightDecay and
   * (1 - dampening) are rounded to float32 first; each f32(...) below is one rounding of
   * the exact value (PyTorch's fused multiply-adds):
   *   d = weightDecay != 0 ? f32(grad + weightDecay * param) : grad
   *   buf = first ? d : f32(f32(momentum * buf) + (1 - dampening) * d)   (when momentum != 0)
   *   d = nesterov ? f32(d + momentum * buf) : buf                      (when momentum != 0)
   *   param = f32(param - lr * d)
   */
  sgdUpdate: (
    param: B,
    grad: B,
    buf: B | null,
    opts: {
      lr: number;
      momentum: number;
      dampening: number;
      weightDecay: number;
      nesterov: boolean;
      first: boolean;
    },
  ) => void;
  /** In place: dst[i] += src[i] (same length), as PyTorch's add_ (0 + -0 is +0). */
  accumulate: (dst: B, src: B) => void;
  /** In place: every element of dst becomes `value`. */
  fill: (dst: B, value: number) => void;
  /**
   * buf's values as a host array: the backend's own where it keeps one (js), else read back
   * from the device first (one readback; the array is then kept until the device's values
   * change). Writing into it changes the values: a device backend uploads them at their next use.
   */
  read: (buf: B) => Float32Array;
  /**
   * The engine will never read or write `buf` again (src/tensor/lifetime.ts has proven it
   * dead). A backend may reuse its bytes for a later result of the same length (the js
   * backend keeps a few per length: js/pool.ts) or let them go. Outside the backends only
   * src/tensor/lifetime.ts calls it.
   */
  release: (buf: B) => void;
}

/** Every kernel's name, declared once; `Kernels` must have exactly these methods (checked below). */
export const KERNEL_NAMES = [
  'unary',
  'binary',
  'reduce',
  'variance',
  'matmul',
  'permute',
  'gatherRows',
  'scatterAddRows',
  'batchNormStats',
  'batchNormUpdateStats',
  'batchNormForward',
  'batchNormBackward',
  'sgdUpdate',
  'accumulate',
  'fill',
  'read',
  'release',
] as const;
/** The kernels the engine calls, over storages. */
export type Kernels = KernelsOver<Storage>;
/** The kernels a host backend writes, over Float32Arrays (adapted to Kernels by host-kernels.ts). */
export type HostKernels = KernelsOver<Float32Array>;
/** A kernel's name (a key of Kernels). */
export type KernelName = (typeof KERNEL_NAMES)[number];

// A compile error here means KERNEL_NAMES and the Kernels interface disagree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kernelNamesMatch: Same<KernelName, keyof Kernels> = true;
void kernelNamesMatch;
