/**
 * gpu.js kernel sources, as strings so that the same text compiles in this
 * thread (cpu, webasm, headlessgl) and in the webgpu worker (webgpu.ts).
 * One thread computes one output element; `this.constants` are baked into
 * each compiled kernel, so a kernel is compiled once per shape (see runner.ts).
 *
 * Arithmetic is float32 on webasm, GL and WebGPU, float64 (then stored as
 * float32) on gpu.js's cpu mode. Sums over a channel therefore use shifted
 * data: with d = x - x0 (x0 the channel's first element, a sample, so
 * |mean - x0| is of the order of the spread),
 *   mean = x0 + sum(d) / M,   var = (sum(d^2) - sum(d)^2 / M) / M,   M = N * S,
 * which keeps a large mean (1e4, std 0.1) from swamping the variance.
 * Layout as in the js backend: x[b, ch, j] of [N, C, S] is x[(b*C + ch)*S + j].
 */
export const SOURCES = {
  /** out[i*n + j] = sum_p A[i, p] * B[p, j]; A[i, p] at i*aRow + p*aCol, B[p, j] at p*bRow + j*bCol. */
  matmul: `function (a, b) {
    const i = Math.floor(this.thread.x / this.constants.n);
    const j = this.thread.x - i * this.constants.n;
    let s = 0;
    for (let p = 0; p < this.constants.k; p++) {
      s += a[i * this.constants.aRow + p * this.constants.aCol] * b[p * this.constants.bRow + j * this.constants.bCol];
    }
    return s;
  }`,
  /** out[ch] = mean, out[C + ch] = biased variance, by the shifted sums above. */
  bnStats: `function (x) {
    const ch = this.thread.x % this.constants.c;
    // The shift (for a stable one-pass variance) must be finite: an Inf first sample would
    // turn every difference into Inf - Inf = NaN, where the mean is Inf.
    const first = x[ch * this.constants.s];
    const x0 = first - first === 0 ? first : 0;
    let s1 = 0;
    let s2 = 0;
    for (let t = 0; t < this.constants.m; t++) {
      const b = Math.floor(t / this.constants.s);
      const d = x[(b * this.constants.c + ch) * this.constants.s + (t - b * this.constants.s)] - x0;
      s1 += d;
      s2 += d * d;
    }
    if (this.thread.x < this.constants.c) {
      return x0 + s1 / this.constants.m;
    }
    // Clamp rounding's small negatives to 0, but let NaN through (max(0, NaN) is 0 on GPUs).
    const v = (s2 - s1 * s1 / this.constants.m) / this.constants.m;
    return v < 0 ? 0 : v;
  }`,
  /** y = (x - mean[ch]) * invstd[ch] * w[ch] + bias[ch]. */
  bnForward: `function (x, mean, invstd, w, bias) {
    const ch = Math.floor(this.thread.x / this.constants.s) % this.constants.c;
    return (x[this.thread.x] - mean[ch]) * invstd[ch] * w[ch] + bias[ch];
  }`,
  /** out[ch] = sum(gy), out[C + ch] = sum(gy * xhat), xhat = (x - mean) * invstd. */
  bnBackwardSums: `function (gy, x, mean, invstd) {
    const ch = this.thread.x % this.constants.c;
    let sg = 0;
    let sgx = 0;
    for (let t = 0; t < this.constants.m; t++) {
      const b = Math.floor(t / this.constants.s);
      const idx = (b * this.constants.c + ch) * this.constants.s + (t - b * this.constants.s);
      const g = gy[idx];
      sg += g;
      sgx += g * (x[idx] - mean[ch]);
    }
    if (this.thread.x < this.constants.c) {
      return sg;
    }
    return sgx * invstd[ch];
  }`,
  /** gx = w * invstd * (gy - sum(gy)/M - xhat * sum(gy * xhat)/M): mean and invstd depend on x. */
  bnBackwardTrain: `function (gy, x, mean, invstd, w, sums) {
    const ch = Math.floor(this.thread.x / this.constants.s) % this.constants.c;
    const is = invstd[ch];
    const xhat = (x[this.thread.x] - mean[ch]) * is;
    return w[ch] * is * (gy[this.thread.x] - sums[ch] / this.constants.m - xhat * (sums[this.constants.c + ch] / this.constants.m));
  }`,
  /** gx = gy * w * invstd: running statistics are constants. */
  bnBackwardEval: `function (gy, invstd, w) {
    const ch = Math.floor(this.thread.x / this.constants.s) % this.constants.c;
    return gy[this.thread.x] * w[ch] * invstd[ch];
  }`,
} as const;

export type KernelSource = keyof typeof SOURCES;

/** What a runner needs to compile (once) and run one kernel. */
export interface KernelSpec {
  source: KernelSource;
  /** Cache key: the source name plus every constant that shapes the compiled code. */
  key: string;
  constants: Record<string, number>;
  /** Number of output elements (a 1-D output). */
  output: number;
  /** Longest loop in the kernel (gpu.js's GL backends unroll up to loopMaxIterations). */
  loopMax: number;
}
