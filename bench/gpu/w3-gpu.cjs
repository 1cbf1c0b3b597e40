/**
 * W3 on a machine with an NVIDIA GPU (see README.md here): float32 [n, n] x [n, n]
 * for n = 256 .. 4096 on
 *   gpujs-naive   gpu.js webgpu, one output per thread (the rxnn gpu backend's kernel)
 *   gpujs-1x4     gpu.js webgpu, 4 adjacent outputs per thread (Array(4) return)
 *   wgsl-tiled    a hand-written WGSL kernel on the same Dawn binding: 64x64 tile per
 *                 workgroup of 16x16 threads, 4x4 outputs per thread, 16-deep k tiles
 *                 in workgroup memory (what gpu.js cannot express: no shared memory)
 *   rxnn-cpu      rxnn's js backend matmul (wasm SIMD sgemm on every core)
 *   rxnn-gpu      rxnn's gpu backend in webgpu mode (sync bridge; end to end only)
 * "kernel" times keep buffers resident (gpu.js pipeline: true) and are measured
 * differentially: T(r runs + one readback) - T(1 run + one readback), over r - 1,
 * so the readback cancels. "e2e" is Float32Array in to Float32Array out.
 * Every variant's result is checked against a float64 reference on sampled entries.
 * Waiting is always through mapAsync of a result (onSubmittedWorkDone was seen to abort).
 *
 * usage: node w3-gpu.cjs OUT.json [sizes, default 256,512,1024,2048,4096]
 * env: RXNN_BUILD = folder of the compiled src/backend (stage.sh), optional.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');

const outFile = process.argv[2] || 'w3-gpu.json';
const sizes = (process.argv[3] || '256,512,1024,2048,4096').split(',').map(Number);
const results = {
  started: new Date().toISOString(),
  host: `${os.cpus().length} x ${os.cpus()[0].model}`,
  node: process.version,
  rows: [],
  errors: [],
};
const save = () => {
  const t = `${outFile}.tmp`;
  fs.writeFileSync(t, JSON.stringify(results, null, 2));
  fs.renameSync(t, outFile);
};
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const tflops = (n, ms) => (2 * n ** 3) / (ms * 1e9);

function rand(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Checks 64 sampled entries of c (row-major n x n) against float64; returns the worst error / bound. */
function check(a, b, c, n) {
  let worst = 0;
  for (let t = 0; t < 64; t++) {
    const i = (t * 7919) % n,
      j = (t * 104729 + 13) % n;
    let s = 0,
      scale = 0;
    for (let p = 0; p < n; p++) {
      const v = a[i * n + p] * b[p * n + j];
      s += v;
      scale += Math.abs(v);
    }
    worst = Math.max(worst, Math.abs(c[i * n + j] - s) / ((n + 2) * 2 ** -24 * scale));
  }
  if (!(worst <= 1)) throw new Error(`wrong result: error ${worst.toFixed(2)}x the float32 bound`);
  return worst;
}

function record(row) {
  results.rows.push(row);
  log(row.variant, row.n, row.what, `${row.ms.toFixed(3)} ms`, `${row.tflops.toFixed(3)} TFLOP/s`);
  save();
}

async function attempt(name, f) {
  try {
    await f();
  } catch (e) {
    const msg = `${name}: ${(e && e.stack) || e}`;
    results.errors.push(msg);
    log('ERROR', msg.split('\n').slice(0, 3).join(' | '));
    save();
  }
}

/** navigator.gpu from Dawn's `webgpu`, wrapped as docs/webgpu-node.md describes. */
async function setupWebGPU() {
  // By absolute URL: ESM import() does not search NODE_PATH, require.resolve does.
  const wg = await import(require('url').pathToFileURL(require.resolve('webgpu')).href);
  Object.assign(globalThis, wg.globals);
  const wrap = (obj) =>
    new Proxy(obj, {
      get(t, p) {
        const v = Reflect.get(t, p, t);
        if (typeof v !== 'function') return v;
        if (p === 'addEventListener')
          return (...a) => {
            try {
              return v.apply(t, a);
            } catch {
              return undefined;
            }
          };
        return (...a) => {
          const r = v.apply(t, a);
          return (p === 'requestAdapter' || p === 'requestDevice') && r && typeof r.then === 'function'
            ? r.then((x) => (x ? wrap(x) : x))
            : r;
        };
      },
      set(t, p, v) {
        return p === 'onuncapturederror' ? true : Reflect.set(t, p, v, t);
      },
    });
  globalThis.navigator = { gpu: wrap(wg.create([])) };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = adapter.info || {};
  results.adapter = `${info.vendor || ''} ${info.architecture || ''} ${info.description || ''}`.trim();
  log('adapter:', results.adapter);
  return adapter;
}

// ------------------------------------------------------------------ gpu.js

const NAIVE = `function (a, b) {
  let s = 0;
  for (let p = 0; p < this.constants.n; p++) s += a[this.thread.y][p] * b[p][this.thread.x];
  return s;
}`;
/** 4 adjacent outputs C[y, 4x .. 4x+3]: each A value loaded once for 4 products. */
const ONE_BY_FOUR = `function (a, b) {
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  const x = this.thread.x * 4;
  for (let p = 0; p < this.constants.n; p++) {
    const av = a[this.thread.y][p];
    s0 += av * b[p][x]; s1 += av * b[p][x + 1]; s2 += av * b[p][x + 2]; s3 += av * b[p][x + 3];
  }
  return [s0, s1, s2, s3];
}`;

async function gpujs(GPU, n, a, b) {
  const gpu = new GPU({ mode: 'webgpu' });
  const { input } = require('gpu.js');
  const ai = input(a, [n, n]),
    bi = input(b, [n, n]);
  for (const [variant, src, output, vec] of [
    ['gpujs-naive', NAIVE, [n, n], false],
    ['gpujs-1x4', ONE_BY_FOUR, [n / 4, n], true],
  ]) {
    await attempt(`${variant} ${n}`, async () => {
      const settings = { output, constants: { n }, loopMaxIterations: n, precision: 'single', tactic: 'precision' };
      if (vec) settings.returnType = 'Array(4)';
      // End to end: Float32Arrays in, JS result out.
      const e2e = gpu.createKernel(src, settings);
      const flat = (r) => {
        if (r instanceof Float32Array) return r;
        const out = new Float32Array(n * n);
        let o = 0;
        for (const row of r)
          for (const v of row) {
            if (typeof v === 'number') out[o++] = v;
            else {
              out.set(v, o);
              o += v.length;
            }
          }
        return out;
      };
      const first = flat(await e2e(ai, bi));
      const err = check(a, b, first, n);
      const reps = n >= 4096 ? 3 : 5;
      const ts = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        flat(await e2e(ai, bi));
        ts.push(performance.now() - t0);
      }
      record({ variant, n, what: 'e2e', ms: median(ts), tflops: tflops(n, median(ts)), err });
      // Kernel only: resident output buffer, inputs uploaded once as resident buffers too.
      const k = gpu.createKernel(src, { ...settings, pipeline: true });
      const up = gpu.createKernel('function (a) { return a[this.thread.y][this.thread.x]; }', {
        output: [n, n],
        pipeline: true,
      });
      const ga = await up(ai),
        gb = await up(bi);
      const timeRuns = async (runs) => {
        const t0 = performance.now();
        let res;
        for (let r = 0; r < runs; r++) res = await k(ga, gb);
        await res.toArray();
        return performance.now() - t0;
      };
      await timeRuns(2);
      const runs = n >= 4096 ? 6 : n >= 2048 ? 11 : 21;
      const diffs = [];
      for (let r = 0; r < 3; r++) diffs.push(((await timeRuns(runs)) - (await timeRuns(1))) / (runs - 1));
      const ms = median(diffs);
      record({ variant, n, what: 'kernel', ms, tflops: tflops(n, ms) });
    });
  }
  gpu.destroy();
}

// ------------------------------------------------------------------ hand-written WGSL

const TILED = `
struct Params { n : u32 }
@group(0) @binding(0) var<storage, read> A : array<f32>;
@group(0) @binding(1) var<storage, read> B : array<f32>;
@group(0) @binding(2) var<storage, read_write> C : array<vec4<f32>>;
@group(0) @binding(3) var<uniform> P : Params;
// As[kk][q] holds A rows 4q .. 4q+3 of column kk; Bs[kk][q] holds B row kk, columns 4q .. 4q+3.
var<workgroup> As : array<array<vec4<f32>, 16>, 16>;
var<workgroup> Bs : array<array<vec4<f32>, 16>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>) {
  let n = P.n;
  let row0 = wid.y * 64u;
  let col0 = wid.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < n; k0 = k0 + 16u) {
    for (var t = 0u; t < 4u; t = t + 1u) {
      let idx = tid + t * 256u;
      let r = idx / 16u; let kk = idx % 16u;
      As[kk][r / 4u][r % 4u] = A[(row0 + r) * n + k0 + kk];
      let kb = idx / 64u; let c = idx % 64u;
      Bs[kb][c / 4u][c % 4u] = B[(k0 + kb) * n + col0 + c];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let a = As[kk][lid.y];
      let b = Bs[kk][lid.x];
      acc0 = acc0 + a.x * b; acc1 = acc1 + a.y * b; acc2 = acc2 + a.z * b; acc3 = acc3 + a.w * b;
    }
    workgroupBarrier();
  }
  let r = row0 + lid.y * 4u;
  let q = (col0 / 4u) + lid.x;
  let w = n / 4u;
  C[r * w + q] = acc0; C[(r + 1u) * w + q] = acc1; C[(r + 2u) * w + q] = acc2; C[(r + 3u) * w + q] = acc3;
}`;

async function wgsl(adapter, n, a, b) {
  await attempt(`wgsl-tiled ${n}`, async () => {
    // A WebGPU adapter vends one device: after the previous size destroyed its device, ask for a fresh adapter.
    const ad = n === sizes[0] ? adapter : await navigator.gpu.requestAdapter();
    const device = await ad.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: ad.limits.maxStorageBufferBindingSize,
        maxBufferSize: ad.limits.maxBufferSize,
      },
    });
    const U = GPUBufferUsage;
    const bytes = n * n * 4;
    const mk = (usage, size = bytes) => device.createBuffer({ size, usage });
    const ga = mk(U.STORAGE | U.COPY_DST),
      gb = mk(U.STORAGE | U.COPY_DST),
      gc = mk(U.STORAGE | U.COPY_SRC);
    const params = mk(U.UNIFORM | U.COPY_DST, 16);
    device.queue.writeBuffer(params, 0, new Uint32Array([n, 0, 0, 0]));
    const module = device.createShaderModule({ code: TILED });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [ga, gb, gc, params].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const staging = mk(U.MAP_READ | U.COPY_DST);
    const tiny = mk(U.MAP_READ | U.COPY_DST, 16);
    const dispatch = () => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(n / 64, n / 64);
      pass.end();
      device.queue.submit([enc.finish()]);
    };
    const readInto = async (buf, size) => {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(gc, 0, buf, 0, size);
      device.queue.submit([enc.finish()]);
      await buf.mapAsync(GPUMapMode.READ);
      const out = new Float32Array(buf.getMappedRange().slice(0));
      buf.unmap();
      return out;
    };
    const e2e = async () => {
      device.queue.writeBuffer(ga, 0, a);
      device.queue.writeBuffer(gb, 0, b);
      dispatch();
      return readInto(staging, bytes);
    };
    const err = check(a, b, await e2e(), n);
    const ts = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      await e2e();
      ts.push(performance.now() - t0);
    }
    record({ variant: 'wgsl-tiled', n, what: 'e2e', ms: median(ts), tflops: tflops(n, median(ts)), err });
    const timeRuns = async (runs) => {
      const t0 = performance.now();
      for (let r = 0; r < runs; r++) dispatch();
      await readInto(tiny, 16);
      return performance.now() - t0;
    };
    await timeRuns(2);
    const runs = n >= 4096 ? 11 : n >= 2048 ? 21 : 41;
    const diffs = [];
    for (let r = 0; r < 3; r++) diffs.push(((await timeRuns(runs)) - (await timeRuns(1))) / (runs - 1));
    record({ variant: 'wgsl-tiled', n, what: 'kernel', ms: median(diffs), tflops: tflops(n, median(diffs)) });
    device.destroy();
  });
}

// ------------------------------------------------------------------ rxnn

function rxnnCpu(n, a, b) {
  const build = process.env.RXNN_BUILD;
  if (!build) return;
  attemptSync(`rxnn-cpu ${n}`, () => {
    const { gemm, gemmConfig } = require(path.resolve(build, 'src/backend/wasm/gemm.js'));
    if (!results.rxnnCpu) results.rxnnCpu = gemmConfig();
    const err = check(a, b, gemm(a, b, n, n, n, false, false), n);
    const ts = [];
    for (let r = 0; r < (n >= 4096 ? 2 : 5); r++) {
      const t0 = performance.now();
      gemm(a, b, n, n, n, false, false);
      ts.push(performance.now() - t0);
    }
    record({ variant: 'rxnn-cpu', n, what: 'e2e', ms: median(ts), tflops: tflops(n, median(ts)), err });
  });
}

/**
 * rxnn's gpu backend in webgpu mode runs Dawn in a worker thread; Dawn's node binding
 * aborts when a second isolate of the same process uses it too, so this variant runs in
 * a process of its own (ONLY_RXNN_GPU=1), never beside the in-process variants.
 */
function rxnnGpu(n, a, b) {
  const build = process.env.RXNN_BUILD;
  if (!build || n > 2048) return; // the bridge copies everything twice; 2048 says enough
  attemptSync(`rxnn-gpu ${n}`, () => {
    const backend = require(path.resolve(build, 'src/backend/available.js'));
    const { K, setBackend } = require(path.resolve(build, 'src/backend/index.js'));
    if (!results.rxnnGpu) results.rxnnGpu = backend.availableBackends().map((x) => x.label);
    setBackend('gpu', { mode: 'webgpu' });
    const err = check(a, b, K.matmul(a, b, n, n, n, false, false), n);
    const ts = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      K.matmul(a, b, n, n, n, false, false);
      ts.push(performance.now() - t0);
    }
    record({ variant: 'rxnn-gpu-webgpu', n, what: 'e2e', ms: median(ts), tflops: tflops(n, median(ts)), err });
    // BatchNorm on the device against the js backend.
    const x = rand(256 * 64, 5),
      js = require(path.resolve(build, 'src/backend/js/index.js')).jsKernels;
    const s1 = K.batchNormStats(x, 256, 64, 1),
      s2 = js.batchNormStats(x, 256, 64, 1);
    const d = Math.max(
      ...s1.mean.map((v, i) => Math.abs(v - s2.mean[i])),
      ...s1.varBiased.map((v, i) => Math.abs(v - s2.varBiased[i])),
    );
    results.rxnnGpuBatchNormMaxDiff = d;
    setBackend('js');
  });
}

function attemptSync(name, f) {
  try {
    f();
  } catch (e) {
    results.errors.push(`${name}: ${(e && e.stack) || e}`);
    log('ERROR', name, String(e && e.message).slice(0, 300));
    save();
  }
}

async function main() {
  if (process.env.ONLY_RXNN_GPU === '1') {
    for (const n of sizes) rxnnGpu(n, rand(n * n, n), rand(n * n, n + 1));
  } else {
    const { GPU } = require('gpu.js');
    let adapter = null;
    await attempt('webgpu setup', async () => {
      adapter = await setupWebGPU();
    });
    for (const n of sizes) {
      const a = rand(n * n, n),
        b = rand(n * n, n + 1);
      if (adapter) {
        await wgsl(adapter, n, a, b);
        await gpujs(GPU, n, a, b);
      }
      rxnnCpu(n, a, b);
    }
  }
  results.finished = new Date().toISOString();
  save();
  log('done');
}

main().then(
  () => process.exit(0),
  (e) => {
    results.errors.push(String(e && e.stack));
    save();
    process.exit(1);
  },
);
