import { flag } from '../../config/flags';
import { simd } from './simd';
import { take } from './pool';

/**
 * m*k*n (multiply-adds) at or above which matmul runs the WebAssembly SIMD
 * sgemm (src/backend/wasm/gemm.ts); below it the plain loop wins, since the
 * wasm path copies both operands into its memory and the result out
 * (bench/matmul-threshold.ts measures the crossover). RXNN_WASM_MIN_MACS overrides.
 */
export const WASM_MIN_MACS = flag('RXNN_WASM_MIN_MACS');

/**
 * out[m, n] = sum_k A[m, k] * B[k, n] over flat row-major arrays.
 * Small products accumulate in float64 and round once (matmulLoop); large ones
 * accumulate in float32 within blocks of k, like BLAS sgemm (and PyTorch's CPU matmul).
 */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  bias?: Float32Array | null,
): Float32Array {
  if (k === 0) return emptyProduct(m, n, bias);
  if (m * k * n >= WASM_MIN_MACS) return simd.gemm(a, b, m, k, n, transA, transB, undefined, bias);
  return matmulLoop(a, b, m, k, n, transA, transB, bias);
}

/** A product over k = 0: zeros, or with a bias the bias in every row as it is (a -0 stays -0), as PyTorch's addmm. */
export function emptyProduct(m: number, n: number, bias?: Float32Array | null): Float32Array {
  const out = new Float32Array(m * n);
  if (bias) for (let i = 0; i < m; i++) out.set(bias.subarray(0, n), i * n);
  return out;
}

/**
 * The plain loop for small products: one float64 accumulator per output,
 * summing p in order, then one rounding to float32. Transposed operands are
 * read through their strides: A[i, p] at i*aRow + p*aCol, B[p, j] at p*bRow + j*bCol.
 */
export function matmulLoop(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  bias?: Float32Array | null,
): Float32Array {
  const out = take(m * n);
  const aRow = transA ? 1 : k,
    aCol = transA ? m : 1;
  const bRow = transB ? 1 : n,
    bCol = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = i * aRow,
        bj = j * bCol;
      // No skipping of zeros: 0 * Inf must stay NaN, as in PyTorch.
      for (let p = 0; p < k; p++) {
        s += a[ai] * b[bj];
        ai += aCol;
        bj += bRow;
      }
      // addmm: the sum rounded to float32, then the bias added (one more float32 rounding on the store).
      out[i * n + j] = bias ? Math.fround(s) + bias[j] : s;
    }
  }
  return out;
}
