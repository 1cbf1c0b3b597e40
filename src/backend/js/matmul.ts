/**
 * out[m, n] = sum_k A[m, k] * B[k, n] over flat row-major arrays.
 * The i-k-j loop order walks B and out row by row (unit stride), which is what
 * keeps this cache-friendly; transposed operands are read through their strides.
 */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  transA: boolean, transB: boolean): Float32Array {
  const out = new Float32Array(m * n);
  const acc = new Float64Array(n);
  // A[i, p] lives at i * aRow + p * aCol; B[p, j] at p * bRow + j * bCol.
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * aRow + p * aCol];
      if (av === 0) continue;
      const bBase = p * bRow;
      if (bCol === 1) {
        for (let j = 0; j < n; j++) acc[j] += av * b[bBase + j];
      } else {
        for (let j = 0; j < n; j++) acc[j] += av * b[bBase + j * bCol];
      }
    }
    out.set(acc, i * n);
  }
  return out;
}
