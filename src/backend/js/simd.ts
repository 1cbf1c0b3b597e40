import type { BatchNormGrads, BatchNormMoments, BinaryOp, UnaryOp } from '../kernels';

/** How the smaller operand of a SIMD binary op sits against the full one (js/elementwise.ts layout). */
export type SimdLayout = 'same' | 'rows' | 'scalar';

/**
 * The WebAssembly SIMD paths the js kernels hand large operands to. js/ does not import wasm/:
 * src/backend/index.ts composes them (installSimd). Until then the elementwise, BatchNorm, sum and
 * SGD paths are off (their js loops give the same bits), and a matmul at or above the wasm
 * threshold throws: its large products need the sgemm's float32 blocking to give PyTorch's bits.
 */
export interface SimdPaths {
  /** The largest operand (elements) the elementwise, BatchNorm, sum and SGD paths take; 0: none. */
  maxElements: number;
  unaryOps: ReadonlySet<UnaryOp>;
  binaryOps: ReadonlySet<BinaryOp>;
  unary(op: UnaryOp, x: Float32Array): Float32Array;
  /** full op other (other op full when `swap`), into `into` when given (it may be `full`). */
  binary(
    op: BinaryOp,
    full: Float32Array,
    other: Float32Array,
    layout: SimdLayout,
    inner: number,
    swap: boolean,
    into?: Float32Array,
  ): Float32Array;
  gemm(
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    parallel?: boolean,
    bias?: Float32Array | null,
  ): Float32Array;
  colSumRows(x: Float32Array, n: number, c: number): Float32Array;
  bnStatsRows(x: Float32Array, n: number, c: number): BatchNormMoments<Float32Array>;
  bnForwardRows(
    x: Float32Array,
    n: number,
    c: number,
    mean: Float32Array,
    invstd: Float32Array,
    weight: Float32Array | null,
    bias: Float32Array | null,
  ): Float32Array;
  bnBackwardRows(
    gy: Float32Array,
    x: Float32Array,
    n: number,
    c: number,
    mean: Float32Array,
    invstd: Float32Array,
    weight: Float32Array | null,
    batchStats: boolean,
    needWeightGrads: boolean,
  ): BatchNormGrads<Float32Array>;
  sgdPlain(param: Float32Array, grad: Float32Array, lr: number, weightDecay: number): void;
}

const notInstalled = (): never => {
  throw new Error(
    "the js backend's WebAssembly paths are not installed: import rxnn (src/backend), not src/backend/js",
  );
};

/** The installed paths; the js kernels read them at each call. */
export const simd: SimdPaths = {
  maxElements: 0,
  unaryOps: new Set(),
  binaryOps: new Set(),
  unary: notInstalled,
  binary: notInstalled,
  gemm: notInstalled,
  colSumRows: notInstalled,
  bnStatsRows: notInstalled,
  bnForwardRows: notInstalled,
  bnBackwardRows: notInstalled,
  sgdPlain: notInstalled,
};

/** Installs the WebAssembly paths (src/backend/index.ts does, once). */
export function installSimd(paths: SimdPaths): void {
  Object.assign(simd, paths);
}
