/**
 * The backend interface: the few primitive kernels the engine is built from.
 *
 * Every tensor op in `src/tensor/` is written in terms of these; a backend that
 * implements them all runs the whole engine. Kernels take and return flat
 * row-major Float32Arrays plus the sizes they need, and never keep references
 * to their inputs, so a backend may copy data to a device and back. Every array
 * a kernel returns is fresh: nothing else references it, so the engine may keep
 * it as a leaf's gradient without copying (Tensor.ownedGrad).
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

export interface BatchNormStats {
  /** Per-channel mean over N and S. */
  mean: Float32Array;
  /** Per-channel biased variance: sum((x - mean)^2) / (N * S), two-pass in float64. */
  varBiased: Float32Array;
  /** Per-channel 1 / sqrt(varBiased + eps), computed in float64 from the float32 varBiased, rounded once. */
  invstd: Float32Array;
}

/** What the statistics sweeps compute; the kernel adds invstd (BatchNormStats). */
export type BatchNormMoments = Pick<BatchNormStats, 'mean' | 'varBiased'>;

export interface BatchNormGrads {
  gradInput: Float32Array;
  /** null when the layer has no affine weight. */
  gradWeight: Float32Array | null;
  gradBias: Float32Array | null;
}

/** Plain functions (no `this`): the engine swaps them in and out of K, and passes them around. */
export interface Kernels {
  /** out = x mapped through `op`, elementwise. */
  unary: (op: UnaryOp, x: Float32Array) => Float32Array;
  /** out[i] = op(a[bcast(i)], b[bcast(i)]) over `outShape`. */
  binary: (
    op: BinaryOp,
    a: Float32Array,
    aShape: readonly number[],
    b: Float32Array,
    bShape: readonly number[],
    outShape: readonly number[],
  ) => Float32Array;
  /**
   * Reduce `x` of `shape` over the sorted, distinct `axes` (the reduced axes are
   * kept with size 1 in the output's logical shape). `argmax` returns indices as floats.
   */
  reduce: (op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[]) => Float32Array;
  /**
   * Per-slice variance over `axes` with divisor (count - correction); two-pass in
   * float64 so that data with a large mean keeps its small spread.
   */
  variance: (x: Float32Array, shape: readonly number[], axes: readonly number[], correction: number) => Float32Array;
  /**
   * out[m, n] = sum_k A[m, k] * B[k, n], where A is stored [k, m] when transA
   * and B is stored [n, k] when transB. With `bias` (length n) it is PyTorch's
   * addmm: out[m, n] = f32(f32(sum) + bias[n]), the sum rounded to float32 first,
   * so the same bits as matmul followed by a broadcast binary add, in one output buffer;
   * with k = 0 (no products) it is the bias as it is, a -0 included, as PyTorch gives it.
   */
  matmul: (
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    bias?: Float32Array | null,
  ) => Float32Array;
  /** Reorder the axes of `x` (a row-major tensor of `shape`): out axis i = input axis perm[i]. */
  permute: (x: Float32Array, shape: readonly number[], perm: readonly number[]) => Float32Array;
  /** out[r] = x[index[r]] for rows of length `rowSize`. */
  gatherRows: (x: Float32Array, rowSize: number, index: readonly number[]) => Float32Array;
  /** out (numRows rows) with out[index[r]] += g[r]: the adjoint of gatherRows. */
  scatterAddRows: (g: Float32Array, rowSize: number, index: readonly number[], numRows: number) => Float32Array;
  /** Mean, biased variance and invstd per channel of x viewed as [N, C, S]. */
  batchNormStats: (x: Float32Array, n: number, c: number, s: number, eps: number) => BatchNormStats;
  /**
   * In place, each statistic given (PyTorch's running-statistics update, M = N * S):
   *   runningMean = (1 - momentum) * runningMean + momentum * mean
   *   runningVar  = (1 - momentum) * runningVar  + momentum * varBiased * M / (M - 1)
   */
  batchNormUpdateStats: (
    runningMean: Float32Array | null,
    runningVar: Float32Array | null,
    mean: Float32Array,
    varBiased: Float32Array,
    momentum: number,
    m: number,
  ) => void;
  /** y = (x - mean[c]) * invstd[c] * weight[c] + bias[c] (weight/bias null: 1 and 0). */
  batchNormForward: (
    x: Float32Array,
    n: number,
    c: number,
    s: number,
    mean: Float32Array,
    invstd: Float32Array,
    weight: Float32Array | null,
    bias: Float32Array | null,
  ) => Float32Array;
  /**
   * Gradients of batchNormForward. With `batchStats` the mean and invstd are
   * functions of x (training, or no running stats):
   *   gx = w * invstd / M * (M * gy - sum(gy) - xhat * sum(gy * xhat)),  M = N * S;
   * otherwise they are constants and gx = gy * w * invstd.
   * gradWeight = sum(gy * xhat), gradBias = sum(gy), per channel.
   */
  batchNormBackward: (
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
  ) => BatchNormGrads;
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
    param: Float32Array,
    grad: Float32Array,
    buf: Float32Array | null,
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
  accumulate: (dst: Float32Array, src: Float32Array) => void;
  /** In place: every element of dst becomes `value`. */
  fill: (dst: Float32Array, value: number) => void;
  /**
   * Makes buf's values current on the host (a device backend reads them back; the
   * host array may be written afterwards, so the device's copy is then out of date).
   * Does nothing where the values already are on the host (js).
   */
  sync: (buf: Float32Array) => void;
  /**
   * A hint that the engine will never read or write `buf` again: a result of
   * these kernels that it has proven dead (a gradient that its consuming backward
   * rule has finished with and that nothing else shares, or a temporary inside
   * one op). A backend may reuse it for a later result of the same length
   * (the js backend keeps a few per length: js/pool.ts) or ignore it.
   */
  release: (buf: Float32Array) => void;
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
  'sync',
  'release',
] as const;
/** A kernel's name (a key of Kernels). */
export type KernelName = (typeof KERNEL_NAMES)[number];

// A compile error here means KERNEL_NAMES and the Kernels interface disagree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kernelNamesMatch: Same<KernelName, keyof Kernels> = true;
void kernelNamesMatch;
