/**
 * Float64 reference implementations of rxnn's ops, in plain JS numbers, for the
 * op-by-op tests and the finite-difference gradient checker. Every tensor is a
 * flat row-major `number[]` plus a shape; nothing here imports rxnn, so a bug in
 * the engine cannot leak into its own reference.
 */

export type Shape = readonly number[];

// ---------------------------------------------------------------------------
// Deterministic data: a tiny seeded PRNG (mulberry32) and value generators.

/** mulberry32: a 32-bit seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` float32-representable values uniform in [lo, hi). */
export function uniformValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

/** `n` float32-representable standard normal values (Box-Muller), times `std` plus `mean`. */
export function normalValues(n: number, seed: number, mean = 0, std = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => {
    const u = 1 - r(),
      v = r();
    return Math.fround(mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  });
}

/**
 * `n` values whose magnitudes lie in [lo, hi) with random signs: inputs that
 * stay at least `lo` away from a kink at 0 (relu) or a pole (division).
 */
export function awayFromZero(n: number, seed: number, lo = 0.1, hi = 1.5): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => Math.fround((r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r())));
}

// ---------------------------------------------------------------------------
// Shapes.

export function sizeOf(shape: Shape): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Coordinates of flat index `i` in `shape`. */
export function unravel(i: number, shape: Shape): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

/** NumPy broadcasting of two shapes (throws when they do not broadcast). */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new Error(`reference: [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    return da === 1 ? db : da;
  });
}

/** Reads `x` (of `shape`) at the coordinates `coord` of a broadcast shape. */
function broadcastRead(x: readonly number[], shape: Shape, coord: readonly number[]): number {
  const st = stridesOf(shape);
  const lead = coord.length - shape.length;
  let off = 0;
  for (let d = 0; d < shape.length; d++) off += (shape[d] === 1 ? 0 : coord[lead + d]) * st[d];
  return x[off];
}

/** The values of `x` broadcast to `to`. */
export function broadcastTo(x: readonly number[], shape: Shape, to: Shape): number[] {
  return Array.from({ length: sizeOf(to) }, (_, i) => broadcastRead(x, shape, unravel(i, to)));
}

// ---------------------------------------------------------------------------
// Elementwise.

export function unaryRef(x: readonly number[], f: (v: number) => number): number[] {
  return x.map(f);
}

export function binaryRef(
  a: readonly number[],
  aShape: Shape,
  b: readonly number[],
  bShape: Shape,
  f: (x: number, y: number) => number,
): number[] {
  const out = broadcastShape(aShape, bShape);
  const A = broadcastTo(a, aShape, out),
    B = broadcastTo(b, bShape, out);
  return A.map((v, i) => f(v, B[i]));
}

export const sigmoid64 = (v: number): number => 1 / (1 + Math.exp(-v));

// ---------------------------------------------------------------------------
// Reductions. `axes` undefined = every axis. Output is in row-major order of
// the kept axes (the same with or without keepdim).

function normAxes(axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return list.map((a) => (a < 0 ? a + ndim : a));
}

/** The groups of flat indices of `x` reduced into each output element. */
export function reductionGroups(shape: Shape, axes?: number | readonly number[]): number[][] {
  const ax = normAxes(axes, shape.length);
  const kept = shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const keptShape = kept.map((i) => shape[i]);
  const groups: number[][] = Array.from({ length: sizeOf(keptShape) }, () => []);
  const st = stridesOf(keptShape);
  for (let i = 0; i < sizeOf(shape); i++) {
    const c = unravel(i, shape);
    let o = 0;
    kept.forEach((a, j) => {
      o += c[a] * st[j];
    });
    groups[o].push(i);
  }
  return groups;
}

export function sumRef(x: readonly number[], shape: Shape, axes?: number | readonly number[]): number[] {
  return reductionGroups(shape, axes).map((g) => g.reduce((s, i) => s + x[i], 0));
}

export function meanRef(x: readonly number[], shape: Shape, axes?: number | readonly number[]): number[] {
  return reductionGroups(shape, axes).map((g) => g.reduce((s, i) => s + x[i], 0) / g.length);
}

/** Variance with divisor (count - correction), two-pass. */
export function varRef(
  x: readonly number[],
  shape: Shape,
  axes: number | readonly number[] | undefined,
  correction: number,
): number[] {
  return reductionGroups(shape, axes).map((g) => {
    const m = g.reduce((s, i) => s + x[i], 0) / g.length;
    return g.reduce((s, i) => s + (x[i] - m) ** 2, 0) / (g.length - correction);
  });
}

export function maxRef(x: readonly number[], shape: Shape, axis?: number): number[] {
  return reductionGroups(shape, axis).map((g) => Math.max(...g.map((i) => x[i])));
}

/** Index of the first maximum within each reduced group (group-relative, i.e. along the axis). */
export function argmaxRef(x: readonly number[], shape: Shape, axis?: number): number[] {
  return reductionGroups(shape, axis).map((g) => {
    let best = 0;
    g.forEach((i, j) => {
      if (x[i] > x[g[best]]) best = j;
    });
    return best;
  });
}

// ---------------------------------------------------------------------------
// Linear algebra and layout.

/** [m, k] @ [k, n]. */
export function matmulRef(a: readonly number[], b: readonly number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

/** x [n, inF] @ w[outF, inF]^T + bias. */
export function linearRef(
  x: readonly number[],
  w: readonly number[],
  bias: readonly number[] | null,
  n: number,
  inF: number,
  outF: number,
): number[] {
  const out = new Array<number>(n * outF);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outF; o++) {
      let s = bias ? bias[o] : 0;
      for (let p = 0; p < inF; p++) s += x[i * inF + p] * w[o * inF + p];
      out[i * outF + o] = s;
    }
  }
  return out;
}

/** out axis i = input axis perm[i]. */
export function permuteRef(x: readonly number[], shape: Shape, perm: readonly number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const st = stridesOf(shape);
  return Array.from({ length: x.length }, (_, i) => {
    const c = unravel(i, outShape);
    return x[c.reduce((s, v, j) => s + v * st[perm[j]], 0)];
  });
}

export function transposeRef(x: readonly number[], shape: Shape, d0: number, d1: number): number[] {
  const perm = shape.map((_, i) => i);
  [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
  return permuteRef(x, shape, perm);
}

/** Rows (dim 0) of x at `index`. */
export function indexSelectRef(x: readonly number[], shape: Shape, index: readonly number[]): number[] {
  const row = sizeOf(shape.slice(1));
  return index.flatMap((r) => x.slice(r * row, (r + 1) * row));
}

export function catRef(parts: readonly (readonly number[])[], shapes: readonly Shape[], dim: number): number[] {
  const outer = sizeOf(shapes[0].slice(0, dim));
  const widths = shapes.map((s) => sizeOf(s.slice(dim)));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) parts.forEach((p, i) => out.push(...p.slice(o * widths[i], (o + 1) * widths[i])));
  return out;
}

// ---------------------------------------------------------------------------
// Softmax and losses.

/** Numerically stable log-softmax along `dim`. */
export function logSoftmaxRef(x: readonly number[], shape: Shape, dim: number): number[] {
  const d = dim < 0 ? dim + shape.length : dim;
  const out = new Array<number>(x.length);
  for (const g of reductionGroups(shape, d)) {
    const m = Math.max(...g.map((i) => x[i]));
    const lse = m + Math.log(g.reduce((s, i) => s + Math.exp(x[i] - m), 0));
    for (const i of g) out[i] = x[i] - lse;
  }
  return out;
}

export function softmaxRef(x: readonly number[], shape: Shape, dim: number): number[] {
  return logSoftmaxRef(x, shape, dim).map(Math.exp);
}

export function mseRef(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
}

/** Mean over rows of -logSoftmax(logits)[i, target_i], logits [n, c]. */
export function crossEntropyRef(logits: readonly number[], n: number, c: number, targets: readonly number[]): number {
  const ls = logSoftmaxRef(logits, [n, c], 1);
  return -targets.reduce((s, t, i) => s + ls[i * c + t], 0) / n;
}

// ---------------------------------------------------------------------------
// Batch normalisation (input viewed as [N, C, S]).

function bnDims(shape: Shape): [number, number, number] {
  const n = shape[0],
    c = shape[1];
  return [n, c, sizeOf(shape) / (n * c)];
}

/** Per-channel mean and biased variance, two-pass. */
export function batchStatsRef(x: readonly number[], shape: Shape): { mean: number[]; varBiased: number[] } {
  const [n, c, s] = bnDims(shape);
  const mean: number[] = [],
    varBiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++) for (let j = 0; j < s; j++) sum += x[(b * c + ch) * s + j];
    const m = sum / (n * s);
    let ss = 0;
    for (let b = 0; b < n; b++) for (let j = 0; j < s; j++) ss += (x[(b * c + ch) * s + j] - m) ** 2;
    mean.push(m);
    varBiased.push(ss / (n * s));
  }
  return { mean, varBiased };
}

/** y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]. */
export function normalizeRef(
  x: readonly number[],
  shape: Shape,
  mean: readonly number[],
  variance: readonly number[],
  weight: readonly number[] | null,
  bias: readonly number[] | null,
  eps: number,
): number[] {
  const [n, c, s] = bnDims(shape);
  const y = new Array<number>(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const inv = 1 / Math.sqrt(variance[ch] + eps);
      for (let j = 0; j < s; j++) {
        const i = (b * c + ch) * s + j;
        y[i] = (x[i] - mean[ch]) * inv * (weight ? weight[ch] : 1) + (bias ? bias[ch] : 0);
      }
    }
  }
  return y;
}

/** Training-mode batch norm: batch statistics, biased variance. */
export function batchNormTrainRef(
  x: readonly number[],
  shape: Shape,
  weight: readonly number[] | null,
  bias: readonly number[] | null,
  eps = 1e-5,
): number[] {
  const { mean, varBiased } = batchStatsRef(x, shape);
  return normalizeRef(x, shape, mean, varBiased, weight, bias, eps);
}

// ---------------------------------------------------------------------------
// The lesson's net with BatchNorm before the activation:
// linear1 -> batch norm (training) -> relu -> linear2.

export interface MlpParams {
  w1: readonly number[];
  b1: readonly number[];
  g: readonly number[];
  beta: readonly number[];
  w2: readonly number[];
  b2: readonly number[];
}

/** The hidden pre-activations (after batch norm), to check inputs stay away from relu's kink. */
export function mlpPreActivationRef(
  x: readonly number[],
  n: number,
  inF: number,
  hidden: number,
  p: MlpParams,
): number[] {
  const z = linearRef(x, p.w1, p.b1, n, inF, hidden);
  return batchNormTrainRef(z, [n, hidden], p.g, p.beta);
}

export function mlpRef(
  x: readonly number[],
  n: number,
  inF: number,
  hidden: number,
  outF: number,
  p: MlpParams,
): number[] {
  const h = mlpPreActivationRef(x, n, inF, hidden, p).map((v) => Math.max(v, 0));
  return linearRef(h, p.w2, p.b2, n, hidden, outF);
}

/**
 * Float64 product of A (stored [k, m] when tA) and B (stored [n, k] when tB), and the error scale
 * sum_p |A[i,p] B[p,j]| that float32 summation bounds are stated in.
 */
export function matmulScaleRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
) {
  const out = new Float64Array(m * n),
    scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        t = 0;
      for (let p = 0; p < k; p++) {
        const v = a[tA ? p * m + i : i * k + p] * b[tB ? j * k + p : p * n + j];
        s += v;
        t += Math.abs(v);
      }
      out[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { out, scale };
}
