/**
 * Every kernel of the interface against a straightforward float64 reference
 * written here, on every backend that runs on this machine (availableBackends():
 * js always, gpu in each gpu.js mode whose probe computes here). A backend
 * that cannot load is not in the list; the list that ran is printed.
 *
 * Tolerances, per backend (u = 2^-24, the float32 unit roundoff):
 * - elementwise, layout and SGD kernels come from js on every backend: exact
 *   against the float64 reference rounded once to float32 (sgd: 2 roundings).
 * - reductions accumulate in float64 and round once: |err| <= 2u |ref|.
 * - matmul (any path: float64 loop, float32 wasm sgemm, gpu.js kernels):
 *   |err| <= (k + 2) u sum_p |A[i,p] B[p,j]|, the standard bound for a
 *   float32 sum of k products in any order.
 * - gpu:webgpu runs every kernel but pow, max, argmax, variance and scatterAddRows
 *   on the device, in float32 (src/backend/gpu/resident.ts): exp, log, sqrt, sigmoid
 *   and tanh within DEVICE_ULPS ulps, sums within the float32 bound (n + 2) u sum |x|
 *   of their n terms.
 *   Its results may live on the device only: the spec reads every result
 *   through KH, which reads it back first (K.read), as Tensor.data does.
 * - BatchNorm: js and gpu:cpu compute in float64: rtol 1e-6. gpu modes that
 *   compute in float32 (webasm, headlessgl, webgpu) sum M = N*S terms in
 *   float32: rtol and atol (M + 8) u, atol scaled by the data's spread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K, getBackend, setBackend } from '../../src/backend';
import { availableBackends } from '../../src/backend/available';
import {
  BINARY_OPS,
  REDUCE_OPS,
  UNARY_OPS,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
} from '../../src/backend/kernels';
import { broadcastShapes, sizeOf, stridesOf } from '../../src/backend/shape';
import { hostView } from '../helpers/host-view';
import { matmulScaleRef } from '../helpers/reference';

const U = 2 ** -24;
/** ulps allowed where a device computes these in float32 (src/backend/gpu/wgsl/elementwise.ts: Cephes exp and log, WGSL's sqrt). */
const DEVICE_ULPS: Partial<Record<UnaryOp, number>> = { exp: 2, log: 2, sqrt: 1, sigmoid: 3, tanh: 3 };
const backends = availableBackends();

/**
 * K over host arrays (test/helpers/host-view.ts): every result is read back to the host, as
 * Tensor.data does, and in-place kernels' arguments are copied back: on a device backend they
 * may live on the device only.
 */
const KH = hostView(K);
console.log(`kernel spec runs on: ${backends.map((b) => b.label).join(', ')}`);

/** Whether the backend's own BatchNorm kernels compute in float64. */
const bnFloat64 = (label: string) => label === 'js' || label === 'gpu:cpu';

// ---------------------------------------------------------------- data

/** Deterministic uniform [-1, 1) from a small LCG, as float32. */
function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

/** Normal-ish values with the given mean and spread (sum of 4 uniforms), as float32. */
function randNormal(n: number, seed: number, mean: number, std: number): Float32Array {
  const u = [0, 1, 2, 3].map((k) => rand(n, seed * 7 + k, 0, 1));
  return Float32Array.from(
    { length: n },
    (_, i) => mean + std * Math.sqrt(3) * (u[0][i] + u[1][i] + u[2][i] + u[3][i] - 2),
  );
}

// ---------------------------------------------------------------- checking

interface Tol {
  rtol: number;
  atol: number;
}

/** |actual - expected| <= atol + rtol * scale (scale: |expected| unless given); NaN and infinities must match. */
function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  what: string,
  scale?: ArrayLike<number>,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else ok = Math.abs(a - e) <= tol.atol + tol.rtol * (scale ? scale[i] : Math.abs(e));
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${a}, want ${e}`);
  }
  expect(bad, what).toEqual([]);
}

const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);
const EXACT: Tol = { rtol: 0, atol: 0 };
const REDUCE: Tol = { rtol: 2 * U, atol: 0 };

// ---------------------------------------------------------------- float64 references

function unaryRef(op: UnaryOp, v: number): number {
  switch (op) {
    case 'neg':
      return -v;
    case 'exp':
      return Math.exp(v);
    case 'log':
      return Math.log(v);
    case 'sqrt':
      return Math.sqrt(v);
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    case 'abs':
      return Math.abs(v);
    case 'copy':
      return v;
  }
}

function binaryRef(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'pow':
      return a ** b;
    case 'gt':
      return a > b ? 1 : 0;
    case 'reluGrad':
      return b <= 0 ? 0 : a; // PyTorch's threshold_backward
  }
}

/** Coordinates of flat index i in shape. */
function coords(i: number, shape: readonly number[]): number[] {
  const st = stridesOf(shape);
  return shape.map((d, k) => Math.floor(i / st[k]) % d);
}

function broadcastRef(
  op: BinaryOp,
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  os: number[],
): number[] {
  const at = stridesOf(as),
    bt = stridesOf(bs);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(os); i++) {
    const c = coords(i, os);
    let ia = 0,
      ib = 0;
    c.forEach((v, k) => {
      const ka = k - (os.length - as.length),
        kb = k - (os.length - bs.length);
      if (ka >= 0 && as[ka] !== 1) ia += v * at[ka];
      if (kb >= 0 && bs[kb] !== 1) ib += v * bt[kb];
    });
    out.push(binaryRef(op, a[ia], b[ib]));
  }
  return out;
}

/** Groups the flat indices of x by their output slot (reduced axes dropped), in row-major order. */
function groups(shape: number[], axes: number[]): number[][] {
  const kept = shape.map((d, k) => (axes.includes(k) ? 1 : d));
  const out: number[][] = Array.from({ length: sizeOf(kept) }, () => []);
  const kst = stridesOf(kept);
  for (let i = 0; i < sizeOf(shape); i++) {
    const c = coords(i, shape);
    let o = 0;
    c.forEach((v, k) => {
      if (!axes.includes(k)) o += v * kst[k];
    });
    out[o].push(i);
  }
  return out;
}

function reduceRef(op: ReduceOp, x: Float32Array, shape: number[], axes: number[]): number[] {
  return groups(shape, axes).map((idx) => {
    if (op === 'sum') return idx.reduce((s, i) => s + x[i], 0);
    let best = -Infinity,
      arg = 0;
    idx.forEach((i, r) => {
      if (Number.isNaN(best)) return;
      if (Number.isNaN(x[i]) || x[i] > best) {
        best = x[i];
        arg = r;
      }
    });
    return op === 'max' ? best : arg;
  });
}

function varianceRef(x: Float32Array, shape: number[], axes: number[], correction: number): number[] {
  return groups(shape, axes).map((idx) => {
    const mean = idx.reduce((s, i) => s + x[i], 0) / idx.length;
    return idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / Math.max(0, idx.length - correction);
  });
}

interface BnRef {
  mean: number[];
  varBiased: number[];
}
function bnStatsRef(x: Float32Array, n: number, c: number, s: number): BnRef {
  const mean: number[] = [],
    varBiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const vals: number[] = [];
    for (let b = 0; b < n; b++) for (let j = 0; j < s; j++) vals.push(x[(b * c + ch) * s + j]);
    const m = vals.reduce((p, v) => p + v, 0) / vals.length;
    mean.push(m);
    varBiased.push(vals.reduce((p, v) => p + (v - m) ** 2, 0) / vals.length);
  }
  return { mean, varBiased };
}

const chOf = (i: number, c: number, s: number) => Math.floor(i / s) % c;

// ---------------------------------------------------------------- the spec

describe.each(backends)('kernels on $label', ({ name, options, label }) => {
  let previous: ReturnType<typeof getBackend>;
  beforeAll(() => {
    previous = getBackend();
    setBackend(name, options);
  });
  afterAll(() => {
    setBackend(previous.name, previous.mode ? { mode: previous.mode } : undefined);
  });

  it('reports itself', () => {
    // webgpu also names its adapter (webgpu-device.test.ts checks it).
    expect(getBackend()).toEqual(
      options
        ? { name, mode: options.mode, ...(options.mode === 'webgpu' ? { device: expect.any(String) } : {}) }
        : { name },
    );
  });

  /** Transcendental ops on a device: within DEVICE_ULPS of the result (an ulp is at most 2u |result|; plus that many u near 0). */
  const onDevice = label === 'gpu:webgpu';
  const unaryTol = (op: UnaryOp): Tol => {
    const ulps = onDevice ? DEVICE_ULPS[op] : undefined;
    return ulps ? { rtol: ulps * 2 * U, atol: ulps * U } : EXACT;
  };
  it.each([...UNARY_OPS])('unary %s', (op) => {
    // From 1024 elements relu and neg take the js backend's wasm path (js/elementwise.ts EW_WASM_MIN).
    for (const len of [1, 7, 33, 65, 4099]) {
      const x = rand(len, len, -4, 4);
      x[0] = op === 'log' || op === 'sqrt' ? 0 : x[0];
      if (len > 1) x[1] = -0.5; // log/sqrt of a negative: NaN
      expectClose(KH.unary(op, x), f32(Array.from(x, (v) => unaryRef(op, v))), unaryTol(op), `${op} len ${len}`);
    }
  });

  it('unary relu keeps NaN and -0, copy every bit (NaN payloads aside)', () => {
    const sign = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));
    const x = f32([NaN, -0, 0, -2, 3, -Infinity, Infinity]);
    expect(sign(KH.unary('relu', x))).toEqual([NaN, '-0', 0, 0, 3, 0, Infinity]);
    expect(sign(KH.unary('copy', x))).toEqual(sign(x));
    const out = KH.unary('copy', x);
    expect(out).not.toBe(x);
    expect(KH.unary('copy', new Float32Array(0))).toHaveLength(0);
  });

  it("accumulate and fill, in place (0 + -0 is +0, as PyTorch's add_)", () => {
    for (const len of [0, 1, 7, 1100]) {
      const d = rand(len, 51),
        src = rand(len, 52);
      if (len > 1) {
        d[0] = 0;
        src[0] = -0;
        d[1] = -0;
        src[1] = -0;
      }
      const want = Float32Array.from(d, (v, i) => v + src[i]);
      KH.accumulate(d, src);
      expect(
        Array.from(d, (v) => (Object.is(v, -0) ? '-0' : v)),
        `accumulate ${len}`,
      ).toEqual(Array.from(want, (v) => (Object.is(v, -0) ? '-0' : v)));
      // src aliasing dst: both are read before dst is written (d += d doubles it).
      const twice = Float32Array.from(d, (v) => v + v);
      KH.accumulate(d, d);
      expect(Array.from(d), `accumulate into itself ${len}`).toEqual(Array.from(twice));
      KH.fill(d, -0);
      expect(
        Array.from(d, (v) => Object.is(v, -0)),
        `fill -0 ${len}`,
      ).toEqual(new Array(len).fill(true));
      KH.fill(d, 2.5);
      expect(Array.from(d), `fill ${len}`).toEqual(new Array(len).fill(2.5));
    }
    expect(() => KH.accumulate(new Float32Array(3), new Float32Array(4))).toThrow(
      /accumulate: dst has 3 values, src 4/,
    );
  });

  it("batchNormUpdateStats: PyTorch's running update of either or both statistics", () => {
    const c = 5,
      m = 10,
      momentum = 0.1;
    const mean = rand(c, 61),
      varB = rand(c, 62, 0.1, 2);
    const rm0 = rand(c, 63),
      rv0 = rand(c, 64, 0.5, 1.5);
    const rm = rm0.slice(),
      rv = rv0.slice();
    KH.batchNormUpdateStats(rm, rv, mean, varB, momentum, m);
    const tol = onDevice ? { rtol: 4 * U, atol: 0 } : EXACT;
    expectClose(rm, f32(Array.from(rm0, (v, i) => (1 - momentum) * v + momentum * mean[i])), tol, 'running mean');
    expectClose(
      rv,
      f32(Array.from(rv0, (v, i) => (1 - momentum) * v + momentum * varB[i] * (m / (m - 1)))),
      tol,
      'running var',
    );
    const only = rv0.slice();
    KH.batchNormUpdateStats(null, only, mean, varB, 1, m);
    expectClose(
      only,
      f32(Array.from(varB, (v) => v * (m / (m - 1)))),
      tol,
      'momentum 1 (cumulative average, first batch)',
    );
  });

  const binaryCases: [number[], number[]][] = [
    [[7], [7]],
    [[1], [33]],
    [[65], [1]],
    [[], [7]],
    [[2, 3], [3]],
    [
      [4, 1],
      [1, 5],
    ],
    [
      [2, 1, 3],
      [4, 1],
    ],
    [
      [3, 1, 7],
      [1, 5, 1],
    ],
    [[1], [1]],
    [[5, 1, 1], [33]],
    // >= 1024 elements: the wasm path for same, row-broadcast and scalar layouts, both operand orders.
    [[4099], [4099]],
    [[33, 64], [64]],
    [[64], [33, 64]],
    [[2049], [1]],
    [[], [2049]],
    [[33, 65], [65]],
    [
      [2, 33, 32],
      [33, 32],
    ],
  ];
  it.each([...BINARY_OPS])('binary %s with broadcasting', (op) => {
    for (const [as, bs] of binaryCases) {
      const os = broadcastShapes(as, bs);
      const a = op === 'pow' ? rand(sizeOf(as), 11, 0.1, 3) : rand(sizeOf(as), 11);
      const b = rand(sizeOf(bs), 12, -2, 2);
      const got = KH.binary(op, a, as, b, bs, os);
      expectClose(got, f32(broadcastRef(op, a, as, b, bs, os)), EXACT, `${op} [${as.join()}] with [${bs.join()}]`);
    }
  });

  const reduceCases: [number[], number[]][] = [
    [[7], [0]],
    [[1], [0]],
    [
      [3, 4, 5],
      [0, 1, 2],
    ],
    [[3, 4, 5], [0]],
    [[3, 4, 5], [1]],
    [[3, 4, 5], [2]],
    [
      [3, 4, 5],
      [0, 2],
    ],
    [
      [2, 3, 4, 5],
      [1, 3],
    ],
    [
      [2, 3, 4, 5],
      [0, 2, 3],
    ],
    [[65, 33], [0]],
    [
      [1, 7, 1],
      [0, 2],
    ],
    // sums over leading axes of >= 1024 elements take the js backend's wasm column sweep
    [[256, 33], [0]],
    [
      [4, 16, 17],
      [0, 1],
    ],
    [[1100, 1], [0]],
  ];
  it.each([...REDUCE_OPS])('reduce %s over adjacent and non-adjacent axes', (op) => {
    for (const [shape, axes] of reduceCases) {
      const x = rand(sizeOf(shape), sizeOf(shape) + axes.length, -3, 3);
      const want = f32(reduceRef(op, x, shape, axes)),
        what = `${op} [${shape.join()}] over [${axes.join()}]`;
      if (op === 'sum' && onDevice) {
        // A device sums in float32: the bound of a float32 sum of n terms in any order, (n + 2) u sum |x|.
        const n = axes.reduce((p, a) => p * shape[a], 1);
        const absSums = groups(shape, axes).map((idx) => idx.reduce((t, i) => t + Math.abs(x[i]), 0));
        expectClose(KH.reduce(op, x, shape, axes), want, { rtol: (n + 2) * U, atol: 0 }, what, absSums);
      } else {
        expectClose(KH.reduce(op, x, shape, axes), want, op === 'sum' ? REDUCE : EXACT, what);
      }
    }
  });

  it('max and argmax: ties take the first index, NaN wins', () => {
    const x = f32([1, 3, 3, 2, /* row 2 */ 0, NaN, 5, NaN]);
    expectClose(KH.reduce('argmax', x, [2, 4], [1]), [1, 1], EXACT, 'argmax');
    expectClose(KH.reduce('max', x, [2, 4], [1]), [3, NaN], EXACT, 'max');
  });

  it('variance with corrections 0 and 1 over non-adjacent axes', () => {
    for (const [shape, axes] of reduceCases.filter(([s, a]) => a.reduce((p, k) => p * s[k], 1) > 1)) {
      const x = rand(sizeOf(shape), 5, -2, 2);
      for (const corr of [0, 1]) {
        expectClose(
          KH.variance(x, shape, axes, corr),
          f32(varianceRef(x, shape, axes, corr)),
          REDUCE,
          `var [${shape.join()}] over [${axes.join()}] correction ${corr}`,
        );
      }
    }
  });

  it('variance of data with mean 1e4 and std 0.1 matches float64', () => {
    const x = randNormal(4000, 3, 1e4, 0.1);
    const ref = varianceRef(x, [4000], [0], 1);
    expect(ref[0]).toBeGreaterThan(0.005);
    expectClose(KH.variance(x, [4000], [0], 1), f32(ref), REDUCE, 'large-mean variance');
    const x2 = randNormal(2 * 500 * 3, 4, 1e4, 0.1);
    expectClose(
      KH.variance(x2, [2, 500, 3], [0, 1], 0),
      f32(varianceRef(x2, [2, 500, 3], [0, 1], 0)),
      REDUCE,
      'large-mean variance over [0, 1]',
    );
  });

  const mm: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [7, 1, 33],
    [7, 33, 65],
    [65, 7, 33],
    [33, 65, 1],
    [1, 65, 7],
    [10, 2, 4],
    [65, 65, 65],
    [130, 257, 66],
    [256, 256, 160],
  ];
  it.each(mm)('matmul %ix%ix%i, all transposes', (m, k, n) => {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = rand(m * k, m + 3 * k),
          b = rand(k * n, n + 5 * k);
        const { out, scale } = matmulScaleRef(a, b, m, k, n, tA, tB);
        expectClose(
          KH.matmul(a, b, m, k, n, tA, tB),
          out,
          { rtol: (k + 2) * U, atol: 0 },
          `matmul ${m}x${k}x${n} tA=${tA} tB=${tB}`,
          scale,
        );
      }
    }
  });

  it.each(mm)('matmul %ix%ix%i with a bias (addmm) is bitwise the product, then + bias', (m, k, n) => {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = rand(m * k, m + 7 * k),
          b = rand(k * n, n + 9 * k),
          bias = rand(n, m + n + k, -3, 3);
        if (n > 1) bias[1] = -0;
        const plain = KH.matmul(a, b, m, k, n, tA, tB);
        const want = Float32Array.from(plain, (v, i) => v + bias[i % n]);
        const got = KH.matmul(a, b, m, k, n, tA, tB, bias);
        expect(
          new Uint32Array(got.buffer, got.byteOffset, got.length),
          `addmm ${m}x${k}x${n} tA=${tA} tB=${tB}`,
        ).toEqual(new Uint32Array(want.buffer));
      }
    }
    // No products (k = 0): the bias as it is, -0 included (PyTorch: F.linear(zeros(2, 0), zeros(2, 0), tensor([-0., 1.5])) -> [[-0., 1.5], ...]).
    const got = KH.matmul(new Float32Array(0), new Float32Array(0), 2, 0, 2, false, false, f32([-0, 1.5]));
    expect(Array.from(got, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(['-0', 1.5, '-0', 1.5]);
  });

  it('release: results stay correct and live arrays untouched whatever is handed back', () => {
    const x = rand(40, 3),
      y = rand(40, 4);
    const keep = KH.unary('neg', x);
    const keepCopy = keep.slice();
    const dead = KH.unary('neg', y);
    KH.release(dead);
    // Arrays the engine never got from a kernel, or that are views or shared: must be ignored.
    const big = rand(100, 5),
      bigCopy = big.slice();
    KH.release(big.subarray(10, 50));
    const shared = new Float32Array(new SharedArrayBuffer(40 * 4));
    KH.release(shared);
    for (let round = 0; round < 3; round++) {
      const r1 = KH.unary('neg', y),
        r2 = KH.binary('mul', x, [40], y, [40], [40]);
      expectClose(r1, f32(Array.from(y, (v) => -v)), EXACT, `neg after release, round ${round}`);
      expectClose(r2, f32(Array.from(x, (v, i) => v * y[i])), EXACT, `mul after release, round ${round}`);
      expect(r1).not.toBe(r2);
      KH.release(r1);
      KH.release(r2);
    }
    expect(Array.from(keep)).toEqual(Array.from(keepCopy));
    expect(Array.from(big)).toEqual(Array.from(bigCopy));
    expect(Array.from(shared)).toEqual(new Array(40).fill(0));
  });

  it('matmul: 0 * Inf is NaN, empty k gives zeros', () => {
    for (const [m, k, n] of [
      [2, 3, 2],
      [40, 40, 40],
    ]) {
      const a = new Float32Array(m * k),
        b = new Float32Array(k * n).fill(1);
      b[0] = Infinity;
      const got = KH.matmul(a, b, m, k, n, false, false);
      expect(Number.isNaN(got[0]), `${m}x${k}x${n}`).toBe(true);
      expect(got[1], `${m}x${k}x${n}`).toBe(0);
    }
    expectClose(
      KH.matmul(new Float32Array(0), new Float32Array(0), 2, 0, 3, false, false),
      [0, 0, 0, 0, 0, 0],
      EXACT,
      'k=0',
    );
  });

  it('permute', () => {
    const cases: [number[], number[]][] = [
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [2, 3, 4],
        [1, 0, 2],
      ],
      [
        [1, 7, 1, 3],
        [3, 2, 1, 0],
      ],
      [[5], [0]],
      [
        [33, 65],
        [1, 0],
      ],
    ];
    for (const [shape, perm] of cases) {
      const x = rand(sizeOf(shape), 9);
      const outShape = perm.map((p) => shape[p]);
      const ref = Array.from({ length: x.length }, (_, i) => {
        const c = coords(i, outShape);
        const st = stridesOf(shape);
        return x[c.reduce((s, v, k) => s + v * st[perm[k]], 0)];
      });
      expectClose(KH.permute(x, shape, perm), ref, EXACT, `permute [${shape.join()}] by [${perm.join()}]`);
    }
  });

  it('gatherRows and scatterAddRows (repeated indices add up)', () => {
    const x = rand(7 * 3, 2);
    const index = [6, 0, 0, 3, 6, 6];
    const g = KH.gatherRows(x, 3, index);
    expectClose(
      g,
      index.flatMap((r) => Array.from(x.subarray(r * 3, r * 3 + 3))),
      EXACT,
      'gather',
    );
    const gy = rand(index.length * 3, 4);
    const ref = new Array<number>(7 * 3).fill(0);
    index.forEach((r, k) => {
      for (let j = 0; j < 3; j++) ref[r * 3 + j] += gy[k * 3 + j];
    });
    expectClose(KH.scatterAddRows(gy, 3, index, 7), f32(ref), { rtol: 2 * U, atol: 0 }, 'scatterAdd');
  });

  // [N, C, 1] with N*C >= 1024 takes the js backend's wasm path (js/batchnorm.ts BN_WASM_MIN), odd C included.
  const bnShapes: [number, number, number][] = [
    [10, 4, 1],
    [7, 3, 1],
    [4, 5, 33],
    [1, 2, 65],
    [33, 1, 7],
    [65, 33, 1],
    [256, 16, 1],
  ];
  /** M = N*S terms summed in float32 on the float32 gpu modes. */
  const bnTol = (m: number): Tol =>
    bnFloat64(label) ? { rtol: 1e-6, atol: 1e-6 } : { rtol: (m + 8) * U, atol: (m + 8) * U };

  it('batchNormStats, including mean 1e4 with std 0.1', () => {
    for (const [n, c, s] of bnShapes) {
      const x = rand(n * c * s, n * 100 + c * 10 + s, -2, 3);
      const got = KH.batchNormStats(x, n, c, s, 1e-5),
        ref = bnStatsRef(x, n, c, s);
      expectClose(got.mean, ref.mean, bnTol(n * s), `mean ${n}x${c}x${s}`);
      expectClose(got.varBiased, ref.varBiased, bnTol(n * s), `var ${n}x${c}x${s}`);
      // invstd from the kernel's own float32 variance: one float64 rounding (js), a few float32 ones on a device.
      expectClose(
        got.invstd,
        f32(Array.from(got.varBiased, (v) => 1 / Math.sqrt(v + 1e-5))),
        onDevice ? { rtol: 4 * U, atol: 0 } : EXACT,
        `invstd ${n}x${c}x${s}`,
      );
    }
    const [n, c, s] = [500, 3, 2];
    const x = randNormal(n * c * s, 8, 1e4, 0.1);
    const got = KH.batchNormStats(x, n, c, s, 1e-5),
      ref = bnStatsRef(x, n, c, s);
    // The mean to float32 accuracy of 1e4; the variance (~0.01) relative to itself.
    expectClose(got.mean, ref.mean, { rtol: 2 * U, atol: 0 }, 'large mean');
    expectClose(
      got.varBiased,
      ref.varBiased,
      bnFloat64(label) ? { rtol: 2 * U, atol: 0 } : bnTol(n * s),
      'large-mean variance',
    );
  });

  it('batchNormForward with and without affine parameters', () => {
    for (const [n, c, s] of bnShapes) {
      const x = rand(n * c * s, 21);
      const mean = rand(c, 22),
        invstd = rand(c, 23, 0.5, 2),
        w = rand(c, 24),
        bias = rand(c, 25);
      for (const affine of [true, false]) {
        const ref = Array.from(x, (v, i) => {
          const ch = chOf(i, c, s);
          return (v - mean[ch]) * invstd[ch] * (affine ? w[ch] : 1) + (affine ? bias[ch] : 0);
        });
        const scale = Array.from(x, (v, i) => {
          const ch = chOf(i, c, s);
          return (
            Math.abs(v * invstd[ch] * (affine ? w[ch] : 1)) + Math.abs(mean[ch] * invstd[ch] * (affine ? w[ch] : 1)) + 1
          );
        });
        expectClose(
          KH.batchNormForward(x, n, c, s, mean, invstd, affine ? w : null, affine ? bias : null),
          ref,
          { rtol: 4 * U, atol: 0 },
          `bn forward ${n}x${c}x${s} affine=${affine}`,
          scale,
        );
      }
    }
  });

  it('batchNormBackward in training (batch statistics) and eval (running statistics)', () => {
    for (const [n, c, s] of bnShapes) {
      const x = rand(n * c * s, 31, -2, 2),
        gy = rand(n * c * s, 32);
      const st = bnStatsRef(x, n, c, s);
      const mean = f32(st.mean),
        invstd = f32(st.varBiased.map((v) => 1 / Math.sqrt(v + 1e-5)));
      const w = rand(c, 33);
      const M = n * s;
      const sumG = new Array<number>(c).fill(0),
        sumGX = new Array<number>(c).fill(0);
      gy.forEach((g, i) => {
        const ch = chOf(i, c, s);
        sumG[ch] += g;
        sumGX[ch] += g * (x[i] - mean[ch]) * invstd[ch];
      });
      for (const affine of [true, false]) {
        const wc = (ch: number) => (affine ? w[ch] : 1);
        const train = Array.from(gy, (g, i) => {
          const ch = chOf(i, c, s);
          const xhat = (x[i] - mean[ch]) * invstd[ch];
          return ((wc(ch) * invstd[ch]) / M) * (M * g - sumG[ch] - xhat * sumGX[ch]);
        });
        const evalRef = Array.from(gy, (g, i) => g * wc(chOf(i, c, s)) * invstd[chOf(i, c, s)]);
        // Error scale: the size of the terms that cancel in the training formula.
        const trainScale = Array.from(gy, (g, i) => {
          const ch = chOf(i, c, s);
          const xhat = Math.abs((x[i] - mean[ch]) * invstd[ch]);
          return (
            Math.abs(wc(ch) * invstd[ch]) * (Math.abs(g) + Math.abs(sumG[ch]) / M + (xhat * Math.abs(sumGX[ch])) / M) +
            1e-3
          );
        });
        for (const needW of [true, false]) {
          const tr = KH.batchNormBackward(gy, x, n, c, s, mean, invstd, affine ? w : null, true, needW);
          expectClose(tr.gradInput, train, bnTol(M), `bn backward train ${n}x${c}x${s} affine=${affine}`, trainScale);
          const ev = KH.batchNormBackward(gy, x, n, c, s, mean, invstd, affine ? w : null, false, needW);
          expectClose(ev.gradInput, evalRef, { rtol: 4 * U, atol: 0 }, `bn backward eval ${n}x${c}x${s}`);
          for (const g of [tr, ev]) {
            if (needW) {
              expectClose(
                g.gradWeight as Float32Array,
                sumGX,
                bnTol(M),
                'gradWeight',
                sumGX.map((_, ch) => Math.abs(sumGX[ch]) + M * 0.1),
              );
              expectClose(
                g.gradBias as Float32Array,
                sumG,
                bnTol(M),
                'gradBias',
                sumG.map((v) => Math.abs(v) + M * 0.1),
              );
            } else {
              expect(g.gradWeight).toBeNull();
              expect(g.gradBias).toBeNull();
            }
          }
        }
      }
    }
  });

  it("reluGrad keeps PyTorch's threshold_backward on specials: x <= 0 gives 0, a NaN x passes g", () => {
    // torch: x = [nan, -1, -1, 0, -0, 2], g = [5, -3, inf, -2, 7, -0] -> [5., 0., 0., 0., 0., -0.]
    const x = f32([NaN, -1, -1, 0, -0, 2]),
      g = f32([5, -3, Infinity, -2, 7, -0]);
    const sign = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));
    expect(sign(KH.binary('reluGrad', g, [6], x, [6], [6]))).toEqual([5, 0, 0, 0, 0, '-0']);
    // The same past the wasm threshold.
    const big = (v: Float32Array) => Float32Array.from({ length: 1200 }, (_, i) => v[i % 6]);
    expect(sign(KH.binary('reluGrad', big(g), [1200], big(x), [1200], [1200]).subarray(0, 6))).toEqual([
      5,
      0,
      0,
      0,
      0,
      '-0',
    ]);
  });

  it("batchNormStats keeps NaN and Inf as PyTorch does (a GPU's shader need not)", () => {
    // [N = 3, C = 2]; channel 0 holds a NaN, an Inf in the middle, or an Inf first. torch: mean nan/inf/inf, var nan.
    for (const [ch0, mean0] of [
      [[NaN, 2, 4], NaN],
      [[1, Infinity, 4], Infinity],
      [[Infinity, 2, 4], Infinity],
    ] as const) {
      const x = f32([ch0[0], 1, ch0[1], 3, ch0[2], 5]);
      const { mean, varBiased } = KH.batchNormStats(x, 3, 2, 1, 1e-5);
      expect(mean[0], `mean of ${ch0.join()}`).toBe(mean0);
      expect(varBiased[0], `variance of ${ch0.join()}`).toBeNaN();
      expect(mean[1]).toBe(3);
      expect(varBiased[1]).toBeCloseTo(8 / 3, 6);
    }
  });

  it('BatchNorm kernels on empty tensors give empty results (gpu.js cannot make a 0-length output)', () => {
    const none = new Float32Array(0),
      c3 = f32([0, 0, 0]),
      one3 = f32([1, 1, 1]);
    expect(KH.batchNormForward(none, 0, 3, 1, c3, one3, one3, c3)).toHaveLength(0);
    const g = KH.batchNormBackward(none, none, 0, 3, 1, c3, one3, one3, false, true);
    expect(g.gradInput).toHaveLength(0);
    expect(Array.from(g.gradWeight!)).toEqual([0, 0, 0]);
    expect(KH.batchNormStats(none, 4, 0, 1, 1e-5).mean).toHaveLength(0);
  });

  it('sgdUpdate: plain, weight decay, momentum (first and later steps), dampening, nesterov', () => {
    const opts = [
      { lr: 0.03, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
      { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false },
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
      { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: false },
      { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true },
    ];
    // 1100 parameters: the no-momentum updates take the js backend's wasm path (js/sgd.ts SGD_WASM_MIN).
    for (const len of [33, 1100]) {
      for (const o of opts) {
        const p0 = rand(len, 41),
          g1 = rand(len, 42),
          g2 = rand(len, 43);
        const p = p0.slice(),
          buf = o.momentum ? new Float32Array(len) : null;
        const rp = Array.from(p0),
          rb = new Array<number>(len).fill(0);
        [g1, g2].forEach((g, step) => {
          KH.sgdUpdate(p, g, buf, { ...o, first: step === 0 });
          for (let i = 0; i < len; i++) {
            let d = g[i] + o.weightDecay * rp[i];
            if (o.momentum) {
              rb[i] = step === 0 ? d : o.momentum * rb[i] + (1 - o.dampening) * d;
              d = o.nesterov ? d + o.momentum * rb[i] : rb[i];
            }
            rp[i] = rp[i] - o.lr * d;
          }
          expectClose(p, rp, { rtol: 8 * U, atol: 8 * U }, `sgd ${len} ${JSON.stringify(o)} step ${step}`);
          if (buf) expectClose(buf, rb, { rtol: 8 * U, atol: 8 * U }, 'momentum buffer');
        });
      }
    }
  });
});
