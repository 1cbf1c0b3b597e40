/**
 * The device runtime (src/backend/gpu/wgsl/runtime.ts) on this machine's own
 * WebGPU device (Dawn; Mesa's lavapipe on CI), every kernel against the js
 * backend's kernels or float64, on odd shapes (1, 7, 65, 257; broadcasting;
 * empty tensors; NaN, -0 and infinities where the semantics say what they give).
 * Where Dawn or an adapter is missing, every test is reported as skipped (never
 * passed), with the reason printed once.
 *
 * Tolerances (u = 2^-24, "ulp" = the spacing of float32 at the expected value):
 * - neg, relu, copy, add, sub, mul, div, gt, reluGrad, accumulate, fill, permute,
 *   gatherRows: bit for bit (division included: lavapipe rounds it exactly; WGSL
 *   would allow 2.5 ulp, which this test would report as a difference from PyTorch).
 * - exp, log: 2 ulp; sqrt: 1 ulp; tanh, sigmoid: 3 ulp (Cephes' float
 *   algorithms, about 1 ulp each, plus one or two roundings of the formula);
 *   results below 2^-126 within 2^-126 (a GPU may flush subnormals).
 * - matmul: (k + 2) u sum|a b| (errorVsBound); the bias add exactly f32(f32(sum) + bias).
 * - Sums are compensated (one rounding at the end; the error terms themselves
 *   lose about u^2 per value a thread adds, at most a few thousand): reduceSum
 *   within u |sum| + 2^-36 sum|x| of float64 (and so inside the brief's
 *   (M + 8) u sum|x|), and sums of 1 + 255 * 2^-25 rounded correctly by every
 *   kernel that sums (a shader compiler that simplifies the compensation away
 *   fails that: Mesa's does, without the care common.ts takes).
 * - bnStats: mean within 2 u |mean| + 2^-36 mean|x| (the sum's rounding and the
 *   division's); varBiased within 8 u var (each squared deviation is rounded);
 *   invstd within 3 ulp plus half var's relative bound.
 * - bnForward: 4 u (|x alpha| + |mean alpha| + |b|); bnBackward: gradBias
 *   like a sum, gradWeight within 4 u sum|gy xhat| (each product is rounded),
 *   gradInput within 8 u of the magnitudes it is made of;
 *   bnUpdateStats: 3 u (running mean) and 4 u (running var) of the magnitudes.
 * - sgd: bit for bit against the js rule where the device fuses fma (a probe
 *   kernel tells), else against the same rule with each fma's product rounded
 *   first (WGSL permits that; lavapipe does it): exact either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The js kernels with their WebAssembly paths, as src/backend composes them, over host arrays (jsHostKernels).
import '../../src/backend';
import { jsHostKernels } from '../../src/backend/js';
import { broadcastShapes } from '../../src/backend/shape';
import { errorVsBound, matmulParams, referenceMatmul } from '../../src/backend/gpu/wgsl/matmul';
import {
  binaryPlan,
  deviceKernelSources,
  dispatchGrid,
  packBcast,
  packBn,
  packBnElementwise,
  packBnUpdate,
  packFill,
  packLen,
  packMatmul,
  packReduce,
  packSgd,
  permutePlan,
  reducePlan,
} from '../../src/backend/gpu/wgsl/kernels';
import { BCAST_PARAMS, LEN_PARAMS, SGD_PARAMS } from '../../src/backend/gpu/wgsl/elementwise';
import { REDUCE_PARAMS } from '../../src/backend/gpu/wgsl/reduce';
import { BN_EW_PARAMS, BN_PARAMS, BN_UPDATE_PARAMS } from '../../src/backend/gpu/wgsl/batchnorm';
import { PARAM_FIELDS } from '../../src/backend/gpu/wgsl/matmul';
import { DeviceRuntime, KernelCall, bucketBytes, createDeviceRuntime } from '../../src/backend/gpu/wgsl/runtime';

const U = 2 ** -24;
const SOURCES = deviceKernelSources();

/* ------------------------------------------------------------------ float helpers */

const F1 = new Float32Array(1),
  U1 = new Uint32Array(F1.buffer);
const bits = (x: number) => {
  F1[0] = x;
  return U1[0];
};

/** The spacing of float32 at |x| (2^-149 at 0 and among subnormals). */
function ulpOf(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(Math.fround(a))) - 23);
}

/** |got - want| in ulps of want: 0 when both are NaN or identical (a zero's sign counts), Infinity on a NaN or sign mismatch. */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return Object.is(got, want) ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Infinity;
  return Math.abs(got - want) / ulpOf(want);
}

function rand(len: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

/** Values spread over 2^-e .. 2^e of both signs. */
function wide(len: number, seed: number, e = 20): Float32Array {
  const u = rand(len * 2, seed, 0, 1),
    out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = (u[2 * i] < 0.5 ? -1 : 1) * 2 ** ((u[2 * i + 1] * 2 - 1) * e);
  return out;
}

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, -2];

/** Worst of f(i) over i < n, and where. */
function worst(n: number, f: (i: number) => number): { worst: number; at: number } {
  let w = 0,
    at = -1;
  for (let i = 0; i < n; i++) {
    const e = f(i);
    if (!(e <= w)) {
      w = e;
      at = i;
    }
  }
  return { worst: w, at };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/* ------------------------------------------------------------------ device */

let device: any = null;
/** Dawn's instance: collected while its device lives, it takes Dawn's threads down with it. */
let instance: any = null;
let skipWhy = '';
let rt: DeviceRuntime;
let nextId = 1;
const put = (data: Float32Array, r: DeviceRuntime = rt): number => {
  const id = nextId++;
  r.upload(id, data);
  return id;
};
const fresh = () => nextId++;
async function get(id: number, n: number, r: DeviceRuntime = rt): Promise<Float32Array> {
  const out = new Float32Array(n);
  await r.read(id, out);
  return out;
}

async function openDevice(): Promise<void> {
  try {
    const wg: any = await import('webgpu');
    Object.assign(globalThis, wg.globals);
    instance = wg.create([]);
    const adapter = await instance.requestAdapter();
    if (!adapter) {
      skipWhy = 'Dawn loaded but requestAdapter() answered null (no WebGPU adapter; CI installs lavapipe)';
      return;
    }
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch (e) {
    skipWhy = `Dawn's webgpu package did not load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** A test that needs the device: skipped (not passed) without one. */
function gpuIt(name: string, fn: () => Promise<void> | void, timeout?: number): void {
  it(
    name,
    async (ctx) => {
      if (!device) {
        ctx.skip();
        return;
      }
      await fn();
    },
    timeout,
  );
}

/** Whether the device's WGSL fma rounds once: (1 + 2^-12)^2 - 1 is 2^-11 + 2^-24 fused, 2^-11 with the product rounded. */
async function fmaIsFused(): Promise<boolean> {
  const code = `
@group(0) @binding(0) var<storage, read_write> Y : array<f32>;
@compute @workgroup_size(1) fn main() { let a = Y[0]; Y[1] = fma(a, a, Y[2]); }`;
  const pipe = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  const buf = device.createBuffer({ size: 16, usage: 0x80 | 0x4 | 0x8 });
  const out = device.createBuffer({ size: 16, usage: 0x1 | 0x8 });
  device.queue.writeBuffer(buf, 0, new Float32Array([1 + 2 ** -12, 0, -1, 0]));
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipe);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: buf } }],
    }),
  );
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(buf, 0, out, 0, 16);
  device.queue.submit([enc.finish()]);
  await out.mapAsync(0x1);
  const y = new Float32Array(out.getMappedRange().slice(0))[1];
  out.unmap();
  return y === 2 ** -11 + 2 ** -24;
}

describe("wgsl device runtime on this machine's WebGPU device", () => {
  beforeAll(async () => {
    await openDevice();
    if (!device) {
      console.warn(`wgsl-runtime.test.ts: SKIPPING every test (not a pass): ${skipWhy}`);
      return;
    }
    rt = createDeviceRuntime(device, { sources: SOURCES });
  });
  // Dawn's node binding was seen to abort the process at exit ("The futex facility returned an
  // unexpected error code") when a device that had run work was still alive: end it first.
  afterAll(() => {
    if (!device) return;
    rt.destroy();
    device.destroy();
  });

  /* ---------------------------------------------------------------- plumbing */

  gpuIt(
    'uploads and reads back sizes 0, 1, 7, 65, 257, into an offset, reusing a buffer of the same length',
    async () => {
      for (const n of [0, 1, 7, 65, 257]) {
        const x = rand(n, n + 1);
        const id = put(x);
        const into = new Float32Array(n + 5).fill(9);
        await rt.read(id, into, 3);
        expect(Array.from(into.subarray(3, 3 + n))).toEqual(Array.from(x));
        expect([into[0], into[1], into[2], into[n + 3], into[n + 4]]).toEqual([9, 9, 9, 9, 9]);
        const before = rt.stats.bytes;
        rt.upload(id, rand(n, 99));
        expect(rt.stats.bytes).toBe(before);
        expect(Array.from(await get(id, n))).toEqual(Array.from(rand(n, 99)));
        rt.upload(id, rand(n + 3, 5));
        expect(Array.from(await get(id, n + 3))).toEqual(Array.from(rand(n + 3, 5)));
        rt.free(id);
      }
      rt.free(123456789); // unknown: a no-op
    },
  );

  gpuIt('compiles every kernel, against the layouts the runtime binds', async () => {
    // Through the device directly: run() compiles only what a call needs.
    const bad: string[] = [];
    for (const [key, s] of Object.entries(SOURCES)) {
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code: s.wgsl });
      const entries = s.bindings.split('').map((c, binding) => ({
        binding,
        visibility: 4,
        buffer:
          c === 'u'
            ? { type: 'uniform', hasDynamicOffset: true }
            : c === 'w'
              ? { type: 'storage' }
              : { type: 'read-only-storage', hasDynamicOffset: c === 'i' },
      }));
      const layout = device.createPipelineLayout({ bindGroupLayouts: [device.createBindGroupLayout({ entries })] });
      device.createComputePipeline({ layout, compute: { module, entryPoint: 'main' } });
      const e = await device.popErrorScope();
      if (e) {
        const info = await module.getCompilationInfo();
        bad.push(`${key}: ${e.message} ${info.messages.map((m: any) => `${m.lineNum}: ${m.message}`).join('; ')}`);
      }
    }
    expect(bad).toEqual([]);
  });

  /* ---------------------------------------------------------------- unary */

  const unaryInputs: Record<string, Float32Array> = {
    exp: Float32Array.from([...rand(257, 1, -87, 88.7), ...rand(65, 2, -1e-3, 1e-3), ...SPECIALS, 88.72, -87.3]),
    log: Float32Array.from([
      ...wide(257, 3, 120).map(Math.abs),
      ...rand(65, 4, 0.999, 1.001),
      ...SPECIALS,
      3.4e38,
      1.2e-38,
    ]),
    sqrt: Float32Array.from([...wide(257, 5, 120).map(Math.abs), ...SPECIALS, 2, 3]),
    sigmoid: Float32Array.from([...rand(257, 6, -80, 80), ...rand(65, 7, -1e-3, 1e-3), ...SPECIALS]),
    tanh: Float32Array.from([...rand(257, 8, -10, 10), ...wide(65, 9, 14), ...SPECIALS, 0.6249, 0.6251, 1e-5, -3e-4]),
    neg: Float32Array.from([...wide(257, 10, 120), ...SPECIALS]),
    relu: Float32Array.from([...wide(257, 11, 120), ...SPECIALS]),
    abs: Float32Array.from([...wide(257, 12, 120), ...SPECIALS]),
  };
  const UNARY_ULPS: Record<string, number> = { exp: 2, log: 2, sqrt: 1, sigmoid: 3, tanh: 3, neg: 0, relu: 0, abs: 0 };

  for (const op of Object.keys(UNARY_ULPS)) {
    gpuIt(`unary ${op}: within ${UNARY_ULPS[op]} ulp of the js kernel (specials included)`, async () => {
      const x = unaryInputs[op];
      const want = jsHostKernels.unary(op as never, x);
      const out = fresh();
      rt.run({ kernel: 'unary', op: op as never, x: put(x), out, length: x.length });
      const got = await get(out, x.length);
      const e = worst(x.length, (i) =>
        Math.abs(want[i]) < 2 ** -126 && Math.abs(got[i] - want[i]) <= 2 ** -126 ? 0 : ulps(got[i], want[i]),
      );
      expect(e.worst, `${op}(${x[e.at]}) = ${got[e.at]}, expected ${want[e.at]}`).toBeLessThanOrEqual(UNARY_ULPS[op]);
    });
  }

  gpuIt('unary copy: bit for bit (NaN payloads too), and empty', async () => {
    const x = rand(65, 12);
    const u = new Uint32Array(x.buffer);
    u[0] = 0x7fc00123;
    u[1] = 0x7fa00001;
    u[2] = 0x80000000;
    u[3] = 0x00000001;
    const out = fresh();
    rt.run({ kernel: 'unary', op: 'copy', x: put(x), out, length: 65 });
    expect(Array.from(new Uint32Array((await get(out, 65)).buffer))).toEqual(Array.from(u));
    const e = fresh();
    rt.run({ kernel: 'unary', op: 'exp', x: put(new Float32Array(0)), out: e, length: 0 });
    expect((await get(e, 0)).length).toBe(0);
  });

  /* ---------------------------------------------------------------- binary */

  const BCAST: [number[], number[]][] = [
    [
      [7, 65],
      [7, 65],
    ],
    [[65, 257], [257]],
    [[257], [65, 257]],
    [
      [65, 7],
      [65, 1],
    ],
    [[1], [257]],
    [[257], [1]],
    [
      [7, 1, 5],
      [1, 65, 1],
    ],
    [
      [2, 1, 3, 1, 2, 1, 3, 2],
      [2, 1, 3, 1, 2, 1, 1],
    ],
    [[1, 1], [1]],
    [[0, 5], [5]],
    [
      [3, 0],
      [1, 1],
    ],
  ];
  for (const op of ['add', 'sub', 'mul', 'div', 'gt', 'reluGrad'] as const) {
    gpuIt(`binary ${op}: bit for bit with the js kernel, broadcasting to rank 8, empty, specials`, async () => {
      for (const [aShape, bShape] of BCAST) {
        const outShape = broadcastShapes(aShape, bShape);
        const a = rand(sizeOf(aShape), sizeOf(aShape) * 3 + 1, -4, 4),
          b = rand(sizeOf(bShape), sizeOf(bShape) * 5 + 2, -4, 4);
        for (let i = 0; i < Math.min(a.length, SPECIALS.length); i++) a[i] = SPECIALS[i];
        for (let i = 0; i < Math.min(b.length, SPECIALS.length); i++)
          b[(i * 3) % b.length] = SPECIALS[(i + 4) % SPECIALS.length];
        const want = jsHostKernels.binary(op, a, aShape, b, bShape, outShape);
        const out = fresh();
        rt.run({ kernel: 'binary', op, a: put(a), aShape, b: put(b), bShape, outShape, out });
        const got = await get(out, want.length);
        const e = worst(want.length, (i) => ulps(got[i], want[i]));
        expect(e.worst, `${op} [${aShape.join()}] [${bShape.join()}] at ${e.at}: ${got[e.at]} vs ${want[e.at]}`).toBe(
          0,
        );
      }
    });
  }

  gpuIt('binary with one buffer as both operands (x * x, x + x broadcast against itself)', async () => {
    const x = rand(65, 3, -4, 4),
      id = put(x),
      sq = fresh(),
      row = fresh();
    rt.run({ kernel: 'binary', op: 'mul', a: id, aShape: [65], b: id, bShape: [65], outShape: [65], out: sq });
    rt.run({ kernel: 'binary', op: 'add', a: id, aShape: [65, 1], b: id, bShape: [65], outShape: [65, 65], out: row });
    expect(Array.from(await get(sq, 65))).toEqual(Array.from(jsHostKernels.binary('mul', x, [65], x, [65], [65])));
    expect(Array.from(await get(row, 65 * 65))).toEqual(
      Array.from(jsHostKernels.binary('add', x, [65, 1], x, [65], [65, 65])),
    );
  });

  gpuIt('binary plans collapse dims: a bias row is two dims, a scalar one, same-size runs merge', () => {
    expect(binaryPlan([256, 256], [256], [256, 256])).toEqual({ dims: [256, 256], as: [256, 1], bs: [0, 1] });
    expect(binaryPlan([257], [1], [257])).toEqual({ dims: [257], as: [1], bs: [0] });
    expect(binaryPlan([4, 5, 6], [1, 1, 6], [4, 5, 6])).toEqual({ dims: [20, 6], as: [6, 1], bs: [0, 1] });
    expect(binaryPlan([7, 1, 5], [1, 65, 1], [7, 65, 5])).toEqual({ dims: [7, 65, 5], as: [5, 0, 1], bs: [0, 1, 0] });
    expect(binaryPlan([1, 1], [1], [1, 1])).toEqual({ dims: [], as: [], bs: [] });
  });

  /* ---------------------------------------------------------------- accumulate, fill */

  gpuIt(
    "accumulate: bit for bit with the js kernel (0 + -0 is +0); fill: the value's bits, -0 and NaN too",
    async () => {
      for (const n of [1, 7, 257]) {
        const d = rand(n, n),
          s = rand(n, n + 7);
        d[0] = 0;
        s[0] = -0;
        const dst = put(d);
        rt.run({ kernel: 'accumulate', dst, src: put(s), length: n });
        const want = Float32Array.from(d);
        jsHostKernels.accumulate(want, s);
        const got = await get(dst, n);
        expect(Object.is(got[0], 0)).toBe(true);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
      for (const v of [-0, NaN, 1 / 3, -Infinity, 1e-40]) {
        const id = fresh();
        rt.run({ kernel: 'fill', dst: id, length: 65, value: v });
        const got = await get(id, 65);
        const want = new Float32Array(65).fill(v);
        expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(want.buffer)));
      }
    },
  );

  /* ---------------------------------------------------------------- reduceSum */

  /** float64 sums and sums of |x| of `shape` over `axes`, kept dims in row-major order. */
  function refSum(
    x: Float32Array,
    shape: number[],
    axes: number[],
  ): { sum: Float64Array; abs: Float64Array; count: number } {
    const kept = shape.map((_, i) => i).filter((i) => axes.indexOf(i) < 0);
    const outCount = kept.reduce((p, i) => p * shape[i], 1);
    const sum = new Float64Array(outCount),
      abs = new Float64Array(outCount);
    const coord = new Array(shape.length).fill(0);
    for (let f = 0; f < x.length; f++) {
      let o = 0;
      for (const i of kept) o = o * shape[i] + coord[i];
      sum[o] += x[f];
      abs[o] += Math.abs(x[f]);
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++coord[d] < shape[d]) break;
        coord[d] = 0;
      }
    }
    return { sum, abs, count: outCount ? x.length / outCount : 0 };
  }

  const REDUCTIONS: [number[], number[]][] = [
    [[256, 256], [0]],
    [[256, 256], [1]],
    [[257], [0]],
    [
      [7, 65, 5],
      [0, 2],
    ],
    [[7, 65, 5], [1]],
    [
      [65, 7],
      [0, 1],
    ],
    [[8192, 16], [0]],
    [[3, 4096, 5], [1]],
    [
      [2, 3, 1, 4, 5, 2, 3, 2],
      [1, 3, 6],
    ],
    [[1], [0]],
    [[7, 65], []],
    [[0, 5], [0]],
    [[5, 0], [0]],
    [[0], [0]],
  ];
  gpuIt(
    'reduceSum: within u|sum| + 2^-36 sum|x| of float64 (inside the (M + 8) u bound), on every layout',
    async () => {
      for (const [shape, axes] of REDUCTIONS) {
        const x = rand(sizeOf(shape), sizeOf(shape) + axes.length, -1, 1);
        // An offset makes cancellation and magnitude both matter.
        for (let i = 0; i < x.length; i += 3) x[i] += 100;
        const ref = refSum(x, shape, axes);
        const out = fresh();
        rt.run({ kernel: 'reduceSum', x: put(x), shape, axes, out });
        const got = await get(out, ref.sum.length);
        const js = jsHostKernels.reduce('sum', x, shape, axes);
        expect(js.length).toBe(got.length);
        const tight = worst(
          got.length,
          (i) => Math.abs(got[i] - ref.sum[i]) / (U * Math.abs(ref.sum[i]) + 2 ** -36 * ref.abs[i] + 2 ** -149),
        );
        const brief = worst(
          got.length,
          (i) => Math.abs(got[i] - ref.sum[i]) / ((ref.count + 8) * U * ref.abs[i] + 2 ** -149),
        );
        expect(
          tight.worst,
          `[${shape.join()}] over [${axes.join()}] at ${tight.at}: ${got[tight.at]} vs ${ref.sum[tight.at]}`,
        ).toBeLessThanOrEqual(1);
        expect(brief.worst).toBeLessThanOrEqual(1);
      }
    },
  );

  gpuIt(
    'reduceSum: a full sum of 1e6 values in two passes, accurately; infinities, NaN and -0 as float64 gives them',
    async () => {
      const n = 1_000_000;
      const x = rand(n, 77, -1, 1);
      for (let i = 0; i < n; i += 2) x[i] = x[i] * 1e-3 + 1;
      const plan = reducePlan([n], [0]);
      expect(plan.parts).toBeGreaterThan(1);
      const ref = refSum(x, [n], [0]);
      const out = fresh();
      rt.run({ kernel: 'reduceSum', x: put(x), shape: [n], axes: [0], out });
      const got = (await get(out, 1))[0];
      expect(Math.abs(got - ref.sum[0])).toBeLessThanOrEqual(U * Math.abs(ref.sum[0]) + 2 ** -36 * ref.abs[0]);
      const cases: [number[], number][] = [
        [[1, Infinity, 2], Infinity],
        [[Infinity, -Infinity], NaN],
        [[1, NaN], NaN],
        [[-0, -0], 0],
        [[-Infinity, 5], -Infinity],
      ];
      for (const [v, want] of cases) {
        const o = fresh();
        rt.run({ kernel: 'reduceSum', x: put(Float32Array.from(v)), shape: [v.length], axes: [0], out: o });
        expect(ulps((await get(o, 1))[0], want)).toBe(0);
      }
    },
  );

  gpuIt(
    'every kernel that sums rounds 1 + 255 * 2^-25 (and longer such sums) correctly: the compensation survives the shader compiler',
    async () => {
      const tiny = 2 ** -25;
      const pattern = (n: number) => {
        const x = new Float32Array(n).fill(tiny);
        x[0] = 1;
        return x;
      };
      const want = (n: number) => Math.fround(1 + (n - 1) * tiny);
      // 'wg' one value per thread; 'wg' 16 per thread; two passes; 'col' (a column of the pattern among 64).
      for (const n of [256, 4096, 1000000]) {
        const o = fresh();
        rt.run({ kernel: 'reduceSum', x: put(pattern(n)), shape: [1, n], axes: [1], out: o });
        expect((await get(o, 1))[0], `reduceSum of ${n}`).toBe(want(n));
      }
      const cols = new Float32Array(1024 * 64).fill(0);
      for (let r = 0; r < 1024; r++) cols[r * 64 + 5] = r === 0 ? 1 : tiny;
      const oc = fresh();
      rt.run({ kernel: 'reduceSum', x: put(cols), shape: [1024, 64], axes: [0], out: oc });
      expect(reducePlan([1024, 64], [0]).variant).toBe('col');
      expect((await get(oc, 64))[5]).toBe(want(1024));
      // bnStats' mean (a sum over 256 values / 256) and bnBackward's gradBias.
      const x = put(pattern(256)),
        ids = { mean: fresh(), varBiased: fresh(), invstd: fresh() };
      rt.run({ kernel: 'bnStats', x, n: 256, c: 1, s: 1, eps: 1e-5, ...ids });
      expect((await get(ids.mean, 1))[0]).toBe(want(256) / 256);
      const gb = fresh(),
        zero = put(new Float32Array(1)),
        one = put(new Float32Array(1).fill(1));
      rt.run({
        kernel: 'bnBackward',
        gy: x,
        x,
        n: 256,
        c: 1,
        s: 1,
        mean: zero,
        invstd: one,
        batchStats: false,
        gradInput: fresh(),
        gradBias: gb,
      });
      expect((await get(gb, 1))[0]).toBe(want(256));
    },
  );

  gpuIt('reduce plans group axes and pick the layout', () => {
    expect(reducePlan([256, 256], [0])).toMatchObject({
      outCount: 256,
      r: 256,
      variant: 'col',
      parts: 1,
      keptDims: [256],
      redDims: [256],
      redStrides: [256],
    });
    expect(reducePlan([256, 256], [1])).toMatchObject({ variant: 'wg', keptStrides: [256], redStrides: [1] });
    expect(reducePlan([2, 3, 4, 5], [1, 2])).toMatchObject({
      keptDims: [2, 5],
      keptStrides: [60, 1],
      redDims: [12],
      redStrides: [5],
    });
    expect(reducePlan([1000000], [0])).toMatchObject({ outCount: 1, variant: 'wg', parts: 245 });
    expect(reducePlan([65536, 4], [1])).toMatchObject({ variant: 'col' });
  });

  /* ---------------------------------------------------------------- batchnorm */

  const BN_SHAPES: [number, number, number][] = [
    [256, 7, 1],
    [7, 65, 1],
    [5, 7, 65],
    [257, 1, 1],
    [2, 3, 257],
    [1, 65, 7],
  ];

  gpuIt(
    'bnStats: mean, biased variance and invstd against the js kernel (float64), also for a large mean and small spread',
    async () => {
      for (const [n, c, s] of BN_SHAPES) {
        for (const offset of [0, 1000]) {
          const x = rand(n * c * s, n * 31 + c * 7 + s, -1, 1).map(
            (v, i) => offset + (offset ? 0.01 : 1) * v * (1 + ((i / s) % c)),
          );
          const eps = 1e-5;
          const want = jsHostKernels.batchNormStats(x, n, c, s, eps);
          const ids = { mean: fresh(), varBiased: fresh(), invstd: fresh() };
          rt.run({ kernel: 'bnStats', x: put(x), n, c, s, eps, ...ids });
          const [mean, v, inv] = [await get(ids.mean, c), await get(ids.varBiased, c), await get(ids.invstd, c)];
          const m = n * s;
          for (let ch = 0; ch < c; ch++) {
            let absMean = 0;
            for (let b = 0; b < n; b++) for (let j = 0; j < s; j++) absMean += Math.abs(x[(b * c + ch) * s + j]) / m;
            const where = `[${n}, ${c}, ${s}] offset ${offset} channel ${ch}`;
            expect(Math.abs(mean[ch] - want.mean[ch]), `mean ${where}`).toBeLessThanOrEqual(
              2 * U * Math.abs(want.mean[ch]) + 2 ** -36 * absMean,
            );
            const vBound = 8 * U * want.varBiased[ch];
            expect(
              Math.abs(v[ch] - want.varBiased[ch]),
              `var ${where}: ${v[ch]} vs ${want.varBiased[ch]}`,
            ).toBeLessThanOrEqual(vBound + 2 ** -126);
            const iBound = ((0.5 * vBound) / (want.varBiased[ch] + eps) + 3 * U) * want.invstd[ch];
            expect(Math.abs(inv[ch] - want.invstd[ch]), `invstd ${where}`).toBeLessThanOrEqual(iBound);
          }
        }
      }
      // No values per channel: no statistics (0 / 0), as in float64.
      const ids = { mean: fresh(), varBiased: fresh(), invstd: fresh() };
      rt.run({ kernel: 'bnStats', x: put(new Float32Array(0)), n: 0, c: 3, s: 4, eps: 1e-5, ...ids });
      const want = jsHostKernels.batchNormStats(new Float32Array(0), 0, 3, 4, 1e-5);
      expect([...(await get(ids.mean, 3)), ...(await get(ids.varBiased, 3)), ...(await get(ids.invstd, 3))]).toEqual([
        ...want.mean,
        ...want.varBiased,
        ...want.invstd,
      ]);
    },
  );

  gpuIt('bnForward: within 4u of its terms, with and without weight and bias', async () => {
    for (const [n, c, s] of BN_SHAPES) {
      const x = rand(n * c * s, n + c + s, -3, 3),
        mean = rand(c, 1, -1, 1),
        inv = rand(c, 2, 0.5, 2);
      const w = rand(c, 3, -2, 2),
        b = rand(c, 4, -1, 1);
      const ids = { x: put(x), mean: put(mean), invstd: put(inv), weight: put(w), bias: put(b) };
      for (const [hasW, hasB] of [
        [true, true],
        [false, true],
        [true, false],
        [false, false],
      ]) {
        const want = jsHostKernels.batchNormForward(x, n, c, s, mean, inv, hasW ? w : null, hasB ? b : null);
        const out = fresh();
        rt.run({
          kernel: 'bnForward',
          x: ids.x,
          n,
          c,
          s,
          mean: ids.mean,
          invstd: ids.invstd,
          weight: hasW ? ids.weight : undefined,
          bias: hasB ? ids.bias : undefined,
          out,
        });
        const got = await get(out, x.length);
        const e = worst(x.length, (i) => {
          const ch = Math.floor(i / s) % c,
            alpha = inv[ch] * (hasW ? w[ch] : 1);
          return (
            Math.abs(got[i] - want[i]) /
            (4 * U * (Math.abs(x[i] * alpha) + Math.abs(mean[ch] * alpha) + (hasB ? Math.abs(b[ch]) : 0)) + 2 ** -149)
          );
        });
        expect(e.worst, `[${n}, ${c}, ${s}] w=${hasW} b=${hasB} at ${e.at}`).toBeLessThanOrEqual(1);
      }
    }
  });

  gpuIt(
    'bnBackward: gradBias like a sum, gradWeight within 4u of sum|term|, gradInput within 8u of its magnitudes, every flag combination',
    async () => {
      for (const [n, c, s] of BN_SHAPES) {
        const len = n * c * s,
          m = n * s;
        const x = rand(len, len + 1, -2, 2),
          gy = rand(len, len + 2, -1, 1);
        const st = jsHostKernels.batchNormStats(x, n, c, s, 1e-5);
        const w = rand(c, 5, -2, 2);
        const ids = { gy: put(gy), x: put(x), mean: put(st.mean), invstd: put(st.invstd), weight: put(w) };
        for (const batchStats of [true, false]) {
          for (const hasW of [true, false]) {
            for (const grads of [true, false]) {
              const want = jsHostKernels.batchNormBackward(
                gy,
                x,
                n,
                c,
                s,
                st.mean,
                st.invstd,
                hasW ? w : null,
                batchStats,
                true,
              );
              const out = {
                gradInput: fresh(),
                gradWeight: grads ? fresh() : undefined,
                gradBias: grads ? fresh() : undefined,
              };
              rt.run({
                kernel: 'bnBackward',
                gy: ids.gy,
                x: ids.x,
                n,
                c,
                s,
                mean: ids.mean,
                invstd: ids.invstd,
                weight: hasW ? ids.weight : undefined,
                batchStats,
                ...out,
              });
              const gx = await get(out.gradInput, len);
              const absG = new Float64Array(c),
                absGX = new Float64Array(c);
              for (let i = 0; i < len; i++) {
                const ch = Math.floor(i / s) % c;
                absG[ch] += Math.abs(gy[i]);
                absGX[ch] += Math.abs(gy[i] * (x[i] - st.mean[ch]) * st.invstd[ch]);
              }
              const where = `[${n}, ${c}, ${s}] batchStats=${batchStats} w=${hasW} grads=${grads}`;
              if (grads) {
                const [gw, gb] = [await get(out.gradWeight!, c), await get(out.gradBias!, c)];
                for (let ch = 0; ch < c; ch++) {
                  expect(Math.abs(gw[ch] - want.gradWeight![ch]), `gradWeight ${where}`).toBeLessThanOrEqual(
                    4 * U * absGX[ch] + 2 ** -149,
                  );
                  expect(Math.abs(gb[ch] - want.gradBias![ch]), `gradBias ${where}`).toBeLessThanOrEqual(
                    U * Math.abs(want.gradBias![ch]) + 2 ** -36 * absG[ch] + 2 ** -149,
                  );
                }
              }
              const e = worst(len, (i) => {
                const ch = Math.floor(i / s) % c,
                  scale = Math.abs((hasW ? w[ch] : 1) * st.invstd[ch]);
                const xhat = Math.abs((x[i] - st.mean[ch]) * st.invstd[ch]);
                const mag = batchStats
                  ? scale * (Math.abs(gy[i]) + absG[ch] / m + (xhat * absGX[ch]) / m)
                  : scale * Math.abs(gy[i]);
                return Math.abs(gx[i] - want.gradInput[i]) / (8 * U * mag + 2 ** -149);
              });
              expect(e.worst, `gradInput ${where} at ${e.at}`).toBeLessThanOrEqual(1);
            }
          }
        }
      }
    },
  );

  gpuIt(
    "bnUpdateStats: the js kernel's running statistics within 3u / 4u of their terms; either may be absent",
    async () => {
      for (const c of [1, 7, 65]) {
        const mean = rand(c, c, -2, 2),
          v = rand(c, c + 1, 0, 3),
          rm0 = rand(c, c + 2, -1, 1),
          rv0 = rand(c, c + 3, 0.5, 2);
        const momentum = 0.1,
          m = 257;
        for (const [withM, withV] of [
          [true, true],
          [true, false],
          [false, true],
        ]) {
          const rm = withM ? put(rm0) : undefined,
            rv = withV ? put(rv0) : undefined;
          rt.run({
            kernel: 'bnUpdateStats',
            c,
            mean: put(mean),
            varBiased: put(v),
            runningMean: rm,
            runningVar: rv,
            momentum,
            m,
          });
          const wm = Float32Array.from(rm0),
            wv = Float32Array.from(rv0);
          jsHostKernels.batchNormUpdateStats(withM ? wm : null, withV ? wv : null, mean, v, momentum, m);
          if (rm) {
            const got = await get(rm, c);
            for (let i = 0; i < c; i++)
              expect(Math.abs(got[i] - wm[i])).toBeLessThanOrEqual(
                3 * U * (Math.abs(0.9 * rm0[i]) + Math.abs(0.1 * mean[i])),
              );
          }
          if (rv) {
            const got = await get(rv, c);
            for (let i = 0; i < c; i++)
              expect(Math.abs(got[i] - wv[i])).toBeLessThanOrEqual(
                4 * U * (Math.abs(0.9 * rv0[i]) + Math.abs((0.1 * v[i] * m) / (m - 1))),
              );
          }
        }
      }
    },
  );

  /* ---------------------------------------------------------------- sgd */

  /** Kernels.sgdUpdate's rule with fma(a, b, c) = f(a, b, c): fused (the js rule) or with the product rounded first. */
  function sgdRef(
    p: Float32Array,
    g: Float32Array,
    buf: Float32Array | null,
    o: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; first: boolean },
    fused: boolean,
  ): void {
    const f = Math.fround;
    const fma = fused
      ? (a: number, b: number, c: number) => f(a * b + c)
      : (a: number, b: number, c: number) => f(f(a * b) + c);
    const lr = f(o.lr),
      wd = f(o.weightDecay),
      m = f(o.momentum),
      keep = f(1 - o.dampening);
    for (let i = 0; i < p.length; i++) {
      let d = wd !== 0 ? fma(wd, p[i], g[i]) : g[i];
      if (m !== 0 && buf) {
        buf[i] = o.first ? d : fma(keep, d, f(m * buf[i]));
        d = o.nesterov ? fma(m, buf[i], d) : buf[i];
      }
      p[i] = fma(-lr, d, p[i]);
    }
  }

  gpuIt(
    'sgd: exactly the js rule where fma is fused, exactly its product-rounded twin where not (every option)',
    async () => {
      const fused = await fmaIsFused();
      const configs = [
        { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
        { lr: 0.03, momentum: 0, dampening: 0, weightDecay: 1e-4, nesterov: false },
        { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
        { lr: 0.01, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4, nesterov: false },
        { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true },
      ];
      for (const n of [1, 7, 257, 1031]) {
        for (const cfg of configs) {
          const p0 = rand(n, n + 1, -1, 1),
            g0 = rand(n, n + 2, -1, 1),
            g1 = rand(n, n + 3, -1, 1);
          const param = put(p0),
            buf = fresh();
          const wp = Float32Array.from(p0),
            wb = new Float32Array(n);
          for (const [step, g] of [g0, g1].entries()) {
            const o = { ...cfg, first: step === 0 };
            rt.run({ kernel: 'sgd', param, grad: put(g), buf, length: n, ...o });
            sgdRef(wp, g, wb, o, fused);
          }
          const got = await get(param, n);
          const where = `n=${n} ${JSON.stringify(cfg)} fused=${fused}`;
          expect(worst(n, (i) => ulps(got[i], wp[i])).worst, where).toBe(0);
          if (cfg.momentum) {
            const b = await get(buf, n);
            expect(worst(n, (i) => ulps(b[i], wb[i])).worst, `buf ${where}`).toBe(0);
          }
        }
      }
      // The fused reference is the js kernel's rule (its wasm path from 1024 values included), over two steps.
      for (const n of [257, 1031]) {
        for (const cfg of configs) {
          const p = rand(n, 1),
            pj = Float32Array.from(p),
            b = new Float32Array(n),
            bj = new Float32Array(n);
          for (const [step, g] of [rand(n, 2), rand(n, 3)].entries()) {
            sgdRef(p, g, b, { ...cfg, first: step === 0 }, true);
            jsHostKernels.sgdUpdate(pj, g, bj, { ...cfg, first: step === 0 });
          }
          expect(worst(n, (i) => ulps(p[i], pj[i])).worst, JSON.stringify(cfg)).toBe(0);
        }
      }
    },
  );

  /* ---------------------------------------------------------------- layout */

  /** The u32 words of x moved as permute(shape, perm) moves floats (through an index tensor). */
  function permuteBits(x: Float32Array, shape: number[], perm: number[]): Uint32Array {
    const idx = jsHostKernels.permute(
      Float32Array.from(x, (_, i) => i),
      shape,
      perm,
    );
    const src = new Uint32Array(x.buffer, x.byteOffset, x.length);
    return Uint32Array.from(idx, (i) => src[i]);
  }

  gpuIt('permute: bit for bit, ranks 1 to 8, a permutation that moves nothing (a copy), empty', async () => {
    const cases: [number[], number[]][] = [
      [
        [7, 65],
        [1, 0],
      ],
      [
        [2, 3, 4, 5],
        [3, 1, 0, 2],
      ],
      [[257], [0]],
      [
        [1, 257],
        [1, 0],
      ],
      [
        [5, 1, 7],
        [2, 1, 0],
      ],
      [
        [2, 3, 2, 1, 3, 2, 2, 3],
        [7, 2, 5, 0, 3, 6, 1, 4],
      ],
      [
        [0, 5],
        [1, 0],
      ],
      [
        [4, 6],
        [0, 1],
      ],
    ];
    for (const [shape, perm] of cases) {
      const x = rand(sizeOf(shape), shape.length * 11, -1, 1);
      if (x.length > 2) {
        new Uint32Array(x.buffer)[1] = 0x7fc00abc;
        x[2] = -0;
      }
      const out = fresh();
      rt.run({ kernel: 'permute', x: put(x), shape, perm, out });
      const got = await get(out, x.length);
      expect(Array.from(new Uint32Array(got.buffer)), `[${shape.join()}] perm [${perm.join()}]`).toEqual(
        Array.from(permuteBits(x, shape, perm)),
      );
    }
    expect(permutePlan([4, 6], [0, 1])).toEqual({ dims: [24], as: [1] });
    expect(permutePlan([1, 257], [1, 0])).toEqual({ dims: [257], as: [1] });
    expect(permutePlan([2, 3, 4], [0, 2, 1])).toEqual({ dims: [2, 4, 3], as: [12, 1, 4] });
  });

  gpuIt(
    'gatherRows: bit for bit with the js kernel, repeated rows, rows of 1, empty index and empty rows',
    async () => {
      for (const [rows, rowSize, index] of [
        [7, 65, [6, 0, 0, 3, 6]],
        [257, 1, [256, 0, 128, 1]],
        [65, 7, Array.from({ length: 300 }, (_, i) => (i * 37) % 65)],
        [5, 3, []],
        [5, 0, [1, 2]],
      ] as [number, number, number[]][]) {
        const x = rand(rows * rowSize, rows + rowSize, -1, 1);
        const out = fresh();
        rt.run({ kernel: 'gatherRows', x: put(x), rowSize, index, out });
        const want = jsHostKernels.gatherRows(x, rowSize, index);
        const got = await get(out, want.length);
        expect(Array.from(new Uint32Array(got.buffer))).toEqual(
          Array.from(new Uint32Array(want.buffer, want.byteOffset, want.length)),
        );
      }
    },
  );

  /* ---------------------------------------------------------------- matmul */

  const MM: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 5],
    [65, 33, 129],
    [130, 257, 67],
    [64, 64, 64],
    [1, 257, 4],
  ];
  gpuIt(
    'matmul: within (k + 2) u sum|ab| of float64, every transpose; bias rows added to the f32 sum exactly',
    async () => {
      for (const [m, k, n] of MM) {
        for (const [transA, transB] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          const a = rand(m * k, m * 7 + k),
            b = rand(k * n, n * 13 + k),
            bias = rand(n, n);
          const ia = put(a),
            ib = put(b),
            out = fresh(),
            outB = fresh();
          rt.run({ kernel: 'matmul', a: ia, b: ib, out, m, k, n, transA, transB });
          rt.run({ kernel: 'matmul', a: ia, b: ib, out: outB, m, k, n, transA, transB, bias: put(bias) });
          const got = await get(out, m * n),
            gotB = await get(outB, m * n);
          const { worst: w, at } = errorVsBound(got, referenceMatmul(a, b, { m, k, n, transA, transB }), k);
          expect(w, `${m}x${k}x${n} ${transA} ${transB} at ${at}`).toBeLessThanOrEqual(1);
          expect(worst(m * n, (i) => ulps(gotB[i], Math.fround(got[i] + bias[i % n]))).worst).toBe(0);
        }
      }
    },
  );

  gpuIt('matmul: k = 0 gives zeros or the bias rows as they are (-0 kept); m or n = 0 are empty', async () => {
    const bias = Float32Array.from([-0, 1, NaN, -2.5, 3]);
    const e = put(new Float32Array(0));
    const o1 = fresh(),
      o2 = fresh(),
      o3 = fresh(),
      o4 = fresh();
    rt.run({ kernel: 'matmul', a: e, b: e, out: o1, m: 3, k: 0, n: 5, transA: false, transB: false, bias: put(bias) });
    rt.run({ kernel: 'matmul', a: e, b: e, out: o2, m: 3, k: 0, n: 5, transA: false, transB: true });
    rt.run({ kernel: 'matmul', a: e, b: put(rand(20, 1)), out: o3, m: 0, k: 4, n: 5, transA: false, transB: false });
    rt.run({
      kernel: 'matmul',
      a: put(rand(1, 1)),
      b: e,
      out: o4,
      m: 1,
      k: 1,
      n: 0,
      transA: false,
      transB: false,
      bias: e,
    });
    const want = jsHostKernels.matmul(new Float32Array(0), new Float32Array(0), 3, 0, 5, false, false, bias);
    expect(Array.from(new Uint32Array((await get(o1, 15)).buffer))).toEqual(
      Array.from(new Uint32Array(want.buffer, want.byteOffset, 15)),
    );
    expect(Array.from(await get(o2, 15))).toEqual(new Array(15).fill(0));
    expect((await get(o3, 0)).length + (await get(o4, 0)).length).toBe(0);
  });

  /* ---------------------------------------------------------------- grids, batches, ordering */

  gpuIt(
    '2-D grids and grid-stride tiles (maxGroupsPerDim 3) and tiny batches give the same bits as the default runtime',
    async () => {
      const small = createDeviceRuntime(device, { sources: SOURCES, maxGroupsPerDim: 3, batchSize: 2 });
      const both = async (make: (r: DeviceRuntime) => [number, number]) => {
        const [ia, na] = make(rt),
          [ib] = make(small);
        const a = await get(ia, na),
          b = await get(ib, na, small);
        expect(Array.from(new Uint32Array(b.buffer))).toEqual(Array.from(new Uint32Array(a.buffer)));
      };
      const x = rand(257 * 9, 3),
        y = rand(257, 4);
      const run = (r: DeviceRuntime, call: KernelCall, out: number, n: number): [number, number] => {
        r.run(call);
        return [out, n];
      };
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'unary', op: 'tanh', x: put(x, r), out: o, length: x.length }, o, x.length);
      });
      await both((r) => {
        const o = fresh();
        return run(
          r,
          {
            kernel: 'binary',
            op: 'mul',
            a: put(x, r),
            aShape: [9, 257],
            b: put(y, r),
            bShape: [257],
            outShape: [9, 257],
            out: o,
          },
          o,
          x.length,
        );
      });
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'reduceSum', x: put(x, r), shape: [9, 257], axes: [0], out: o }, o, 257);
      });
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'reduceSum', x: put(x, r), shape: [257, 9], axes: [1], out: o }, o, 257);
      });
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'reduceSum', x: put(rand(40000, 5), r), shape: [40000], axes: [0], out: o }, o, 1);
      });
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'permute', x: put(x, r), shape: [9, 257], perm: [1, 0], out: o }, o, x.length);
      });
      await both((r) => {
        const ids = { mean: fresh(), varBiased: fresh(), invstd: fresh() };
        r.run({ kernel: 'bnStats', x: put(x, r), n: 257, c: 9, s: 1, eps: 1e-5, ...ids });
        return [ids.invstd, 9];
      });
      await both((r) => {
        const o = fresh();
        return run(
          r,
          {
            kernel: 'matmul',
            a: put(rand(260 * 33, 6), r),
            b: put(rand(33 * 200, 7), r),
            out: o,
            m: 260,
            k: 33,
            n: 200,
            transA: false,
            transB: false,
          },
          o,
          260 * 200,
        );
      });
      await both((r) => {
        const o = fresh();
        return run(r, { kernel: 'gatherRows', x: put(x, r), rowSize: 9, index: [5, 200, 7, 7, 256], out: o }, o, 45);
      });
      small.destroy();
    },
  );

  gpuIt(
    'orders writes after pending work: re-uploads, pooled buffers, parameter slots and indices across batches',
    async () => {
      // An upload into a buffer a pending dispatch reads must wait for it.
      const x = put(new Float32Array(65).fill(1));
      const y = fresh(),
        z = fresh();
      rt.run({ kernel: 'unary', op: 'neg', x, out: y, length: 65 });
      rt.upload(x, new Float32Array(65).fill(2));
      rt.run({ kernel: 'unary', op: 'neg', x, out: z, length: 65 });
      // A freed buffer reused by an upload while the pending batch still reads it.
      const a = put(new Float32Array(65).fill(3)),
        c = fresh();
      rt.run({ kernel: 'unary', op: 'neg', x: a, out: c, length: 65 });
      rt.free(a);
      const d = put(new Float32Array(65).fill(4));
      expect(Array.from(await get(y, 65))).toEqual(new Array(65).fill(-1));
      expect(Array.from(await get(z, 65))).toEqual(new Array(65).fill(-2));
      expect(Array.from(await get(c, 65))).toEqual(new Array(65).fill(-3));
      expect(Array.from(await get(d, 65))).toEqual(new Array(65).fill(4));
      // 100 fills (3 batches of parameter slots) and 40 gathers with their own indices, then one growth of the index buffer.
      const fills = Array.from({ length: 100 }, (_, i) => {
        const id = fresh();
        rt.run({ kernel: 'fill', dst: id, length: 7, value: i });
        return id;
      });
      const src = put(Float32Array.from({ length: 100 }, (_, i) => i));
      const gathers = Array.from({ length: 40 }, (_, i) => {
        const id = fresh();
        rt.run({ kernel: 'gatherRows', x: src, rowSize: 1, index: [i, 99 - i, i * 2], out: id });
        return id;
      });
      const big = Array.from({ length: 40000 }, (_, i) => (i * 7) % 100),
        bigOut = fresh();
      rt.run({ kernel: 'gatherRows', x: src, rowSize: 1, index: big, out: bigOut });
      for (let i = 0; i < 100; i++) expect(Array.from(await get(fills[i], 7))).toEqual(new Array(7).fill(i));
      for (let i = 0; i < 40; i++) expect(Array.from(await get(gathers[i], 3))).toEqual([i, 99 - i, i * 2]);
      expect(Array.from(await get(bigOut, 40000))).toEqual(big);
    },
  );

  gpuIt('pools freed buffers by size and caches bind groups: a repeated step creates nothing once warm', async () => {
    const w = put(rand(257 * 65, 1)),
      xb = put(rand(7 * 257, 2)),
      bias = put(rand(65, 3));
    const step = async () => {
      const h = fresh(),
        r = fresh(),
        s = fresh();
      rt.run({ kernel: 'matmul', a: xb, b: w, out: h, m: 7, k: 257, n: 65, transA: false, transB: false, bias });
      rt.run({ kernel: 'unary', op: 'relu', x: h, out: r, length: 7 * 65 });
      rt.run({ kernel: 'reduceSum', x: r, shape: [7, 65], axes: [0, 1], out: s });
      rt.free(h);
      rt.free(r);
      const loss = (await get(s, 1))[0];
      rt.free(s);
      return loss;
    };
    // The pool hands out the last freed first, so h and r trade buffers each step: two steps warm it.
    const v1 = await step();
    await step();
    const before = { ...rt.stats };
    for (let i = 0; i < 2; i++) expect(await step()).toBe(v1);
    expect(rt.stats.bindGroups).toBe(before.bindGroups);
    expect(rt.stats.pipelines).toBe(before.pipelines);
    expect(rt.stats.bytes).toBe(before.bytes);
    expect(rt.stats.buffers).toBe(before.buffers);
    expect(bucketBytes(0, Infinity)).toBe(16);
    expect(bucketBytes(1000, Infinity)).toBe(1024);
    expect(bucketBytes(1025, Infinity)).toBe(1152);
  });

  /* ---------------------------------------------------------------- errors */

  gpuIt('throws at once on malformed calls, naming the argument, its value and what was expected', () => {
    const x = put(rand(6, 1)),
      x3 = put(rand(3, 1));
    const bad: [KernelCall | Record<string, unknown>, RegExp][] = [
      [{ kernel: 'conv' }, /kernel = 'conv': expected one of matmul/],
      [{ kernel: 'unary', op: 'cos' as never, x, out: fresh(), length: 6 }, /unary.op = 'cos'/],
      [{ kernel: 'unary', op: 'exp', x: 999999, out: fresh(), length: 6 }, /unary.x = 999999: no buffer has this id/],
      [{ kernel: 'unary', op: 'exp', x, out: fresh(), length: 5 }, /unary.x = \d+ holds 6 floats, expected 5/],
      [{ kernel: 'unary', op: 'exp', x, out: x, length: 6 }, /out and x are both buffer/],
      [{ kernel: 'unary', op: 'exp', x, out: 0, length: 6 }, /unary.out = 0: expected a positive integer id/],
      [
        {
          kernel: 'binary',
          op: 'add',
          a: x,
          aShape: [1, 1, 1, 1, 1, 1, 1, 2, 3],
          b: x,
          bShape: [6],
          outShape: [6],
          out: fresh(),
        },
        /rank 9, expected at most 8/,
      ],
      [
        { kernel: 'binary', op: 'add', a: x, aShape: [2, 3], b: x, bShape: [3, 2], outShape: [2, 3], out: fresh() },
        /bShape = \[3, 2\] does not broadcast/,
      ],
      [
        { kernel: 'binary', op: 'pow' as never, a: x, aShape: [6], b: x, bShape: [6], outShape: [6], out: fresh() },
        /binary.op = 'pow'/,
      ],
      [
        { kernel: 'matmul', a: x, b: x, out: fresh(), m: 2, k: 3, n: 3, transA: false, transB: false },
        /matmul.b = \d+ holds 6 floats, expected 9 \(m=2, k=3, n=3\)/,
      ],
      [{ kernel: 'reduceSum', x, shape: [2, 3], axes: [1, 0], out: fresh() }, /reduceSum.axes = \[1, 0\]/],
      [{ kernel: 'permute', x, shape: [2, 3], perm: [0, 0], out: fresh() }, /permute.perm = \[0,0\]/],
      [
        { kernel: 'gatherRows', x, rowSize: 3, index: [0, 2], out: fresh() },
        /gatherRows.index\[1\] = 2: expected a row number in 0..1/,
      ],
      [
        {
          kernel: 'sgd',
          param: x,
          grad: x,
          length: 6,
          lr: 0.1,
          momentum: 0,
          dampening: 0,
          weightDecay: 0,
          nesterov: false,
          first: true,
        },
        /param and grad are both buffer/,
      ],
      [
        {
          kernel: 'sgd',
          param: x,
          grad: put(rand(6, 2)),
          buf: fresh(),
          length: 6,
          lr: 0.1,
          momentum: 0.9,
          dampening: 0,
          weightDecay: 0,
          nesterov: false,
          first: false,
        },
        /sgd.buf = \d+: no buffer/,
      ],
      [
        { kernel: 'bnStats', x, n: 2, c: 3, s: 1, eps: 1e-5, mean: fresh(), varBiased: x, invstd: fresh() },
        /varBiased = \d+ exists with 6 floats, expected 3/,
      ],
      [
        { kernel: 'bnStats', x: x3, n: 1, c: 3, s: 1, eps: 1e-5, mean: fresh(), varBiased: x3, invstd: fresh() },
        /varBiased and x are both buffer/,
      ],
      [
        { kernel: 'accumulate', dst: x, src: put(rand(5, 1)), length: 6 },
        /accumulate.src = \d+ holds 5 floats, expected 6/,
      ],
    ];
    const made = rt.stats.buffers;
    for (const [call, msg] of bad) expect(() => rt.run(call as KernelCall), JSON.stringify(call)).toThrow(msg);
    expect(rt.stats.buffers).toBe(made);
    expect(() => rt.upload(-1, new Float32Array(1))).toThrow(/upload.id = -1/);
    expect(() => rt.read(x, new Float32Array(3))).toThrow(/read.offset = 0: buffer \d+'s 6 floats do not fit into 3/);
  });

  gpuIt(
    'reports a device error (a kernel that does not compile) at the next read, naming the kernel and call, once',
    async () => {
      const broken = {
        ...SOURCES,
        'unary:exp': {
          ...SOURCES['unary:exp'],
          wgsl: SOURCES['unary:exp'].wgsl.replace('Y[i] = rx_exp(v);', 'Y[i] = rx_exp(v, v);'),
        },
      };
      const r = createDeviceRuntime(device, { sources: broken });
      const x = put(rand(7, 1), r),
        y = fresh();
      r.run({ kernel: 'unary', op: 'exp', x, out: y, length: 7 });
      await expect(r.read(y, new Float32Array(7))).rejects.toThrow(
        /compiling kernel 'unary:exp' \(first needed by \{"kernel":"unary","op":"exp","x":\d+,"out":\d+,"length":7\}\)/,
      );
      const z = fresh();
      r.run({ kernel: 'unary', op: 'neg', x, out: z, length: 7 });
      expect(Array.from(await get(z, 7, r))).toEqual(Array.from(rand(7, 1)).map((v) => -v));
      r.destroy();
      expect(() => r.run({ kernel: 'unary', op: 'neg', x, out: fresh(), length: 7 })).toThrow(/after destroy/);
    },
  );

  gpuIt(
    "reports an error the encoder finds at submit (a grid past the device's limit) naming the batch's calls",
    async () => {
      // maxGroupsPerDim above the device's 65535 makes a 70000-channel bnStats an invalid dispatch.
      const r = createDeviceRuntime(device, { sources: SOURCES, maxGroupsPerDim: 1_000_000 });
      const x = put(rand(70000, 1), r),
        ids = { mean: fresh(), varBiased: fresh(), invstd: fresh() };
      r.run({ kernel: 'bnStats', x, n: 1, c: 70000, s: 1, eps: 1e-5, ...ids });
      const e = await r.read(ids.mean, new Float32Array(70000)).then(
        () => null,
        (err: Error) => err,
      );
      expect(e?.message).toMatch(
        /validation error in a batch of 2 calls: \{"kernel":"bnStats".*"c":70000.*\}; \{"kernel":"read".*65535/s,
      );
      r.destroy();
    },
  );

  /* ---------------------------------------------------------------- packing, shipping, overhead */

  /** Word offsets of a WGSL uniform struct's fields (u32/f32: 1 word; vec4: 4, aligned; array<vec4, 2>: 8). */
  function structWords(wgsl: string): Record<string, number> {
    const body = /struct Params \{([^}]*)\}/.exec(wgsl)![1];
    const out: Record<string, number> = {};
    let at = 0;
    for (const [, name, type] of body.matchAll(/(\w+) : (array<vec4<u32>, 2>|vec4<u32>|u32|f32)/g)) {
      const words = type.startsWith('array<vec4') ? 8 : type.startsWith('vec4') ? 4 : 1;
      if (words > 1) at = Math.ceil(at / 4) * 4;
      out[name] = at;
      at += words;
    }
    return out;
  }

  gpuIt('the packers write each field where its WGSL struct has it', () => {
    const u = new Uint32Array(64),
      f = new Float32Array(u.buffer);
    const at = (wgsl: string, fill: () => void, want: Record<string, number>) => {
      u.fill(0);
      fill();
      const words = structWords(wgsl);
      for (const [name, v] of Object.entries(want)) expect(u[32 + words[name]], name).toBe(v);
    };
    at(LEN_PARAMS, () => packLen(u, 32, 7, 9), { len: 7, n: 9 });
    at(LEN_PARAMS, () => packFill(u, f, 32, 7, -0), { len: 7, n: 0x80000000 });
    packBcast(u, 32, 5, [3, 4], [4, 1], [0, 1]);
    const bw = structWords(BCAST_PARAMS);
    expect([u[32 + bw.len], u[32 + bw.rank], u[32 + bw.dims + 1], u[32 + bw.sa], u[32 + bw.sb + 1]]).toEqual([
      5, 2, 4, 4, 1,
    ]);
    at(SGD_PARAMS, () => packSgd(u, f, 32, 7, 3, 0.5, 0.25, 2, 4), {
      len: 7,
      flags: 3,
      lr: bits(0.5),
      wd: bits(0.25),
      mom: bits(2),
      keep: bits(4),
    });
    u.fill(7);
    packReduce(u, 32, 5, 6, 7, [8, 9], [10, 11], [12], [13], true);
    const rw = structWords(REDUCE_PARAMS);
    expect([
      u[32 + rw.outCount],
      u[32 + rw.r],
      u[32 + rw.parts],
      u[32 + rw.nKept],
      u[32 + rw.nRed],
      u[32 + rw.kd + 1],
      u[32 + rw.ks + 1],
      u[32 + rw.rd],
      u[32 + rw.rs],
      u[32 + rw.zero],
      u[32 + rw.pairs],
    ]).toEqual([5, 6, 7, 2, 1, 9, 11, 12, 13, 0, 1]);
    u.fill(7);
    packBn(u, f, 32, 3, 4, 5, 6, 0.5);
    const nw = structWords(BN_PARAMS);
    expect([
      u[32 + nw.n],
      u[32 + nw.c],
      u[32 + nw.s],
      u[32 + nw.flags],
      u[32 + nw.m],
      u[32 + nw.eps],
      u[32 + nw.zero],
    ]).toEqual([3, 4, 5, 6, bits(15), bits(0.5), 0]);
    at(BN_EW_PARAMS, () => packBnElementwise(u, 32, 3, 4, 5, 6), { len: 3, c: 4, s: 5, flags: 6 });
    at(BN_UPDATE_PARAMS, () => packBnUpdate(u, f, 32, 3, 2, 0.5, 0.25, 2), {
      len: 3,
      flags: 2,
      keep: bits(0.5),
      mom: bits(0.25),
      unbias: bits(2),
    });
    packMatmul(u, 32, 130, 257, 67);
    expect(Array.from(u.subarray(32, 32 + 5))).toEqual(Array.from(matmulParams(130, 257, 67).subarray(0, 5)));
    expect(PARAM_FIELDS.slice(0, 5)).toEqual(['m', 'k', 'n', 'tilesM', 'tilesN']);
    expect(dispatchGrid(0, 65535)).toEqual([0, 0]);
    expect(dispatchGrid(70000, 65535)).toEqual([65535, 2]);
  });

  gpuIt(
    'per-dispatch overhead: a long run of small kernels creates no bind groups and stays cheap on the CPU',
    async () => {
      const dst = put(new Float32Array(64)),
        src = put(new Float32Array(64).fill(1));
      rt.run({ kernel: 'accumulate', dst, src, length: 64 });
      const groups = rt.stats.bindGroups,
        n = 2000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) rt.run({ kernel: 'accumulate', dst, src, length: 64 });
      rt.flush();
      const cpu = (performance.now() - t0) / n;
      await get(dst, 64);
      const total = (performance.now() - t0) / n;
      console.log(
        `wgsl runtime: ${(cpu * 1000).toFixed(1)} us per dispatch to encode and submit, ${(total * 1000).toFixed(1)} us with the device's work (${n} accumulates of 64 floats)`,
      );
      expect(rt.stats.bindGroups).toBe(groups);
      expect((await get(dst, 64))[0]).toBe(n + 1);
    },
  );
});
