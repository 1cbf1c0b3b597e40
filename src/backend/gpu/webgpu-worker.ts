/**
 * Entry module of the worker thread that owns the device (webgpu.ts BridgeRunner starts it). It
 * sets up Dawn's `webgpu` package (docs/webgpu-node.md) and gpu.js, runs each job the main thread
 * posts, and answers through shared memory: ctl[0] 0 pending, 1 done, 2 failed; ctl[1] the
 * message's length; ctl[2] set once the process is exiting.
 *
 * Resident mode: calls arrive in order, in batches, for a DeviceRuntime (wgsl/runtime.ts); only
 * a read answers. A call that throws is remembered and reported by the next read, as a device
 * reports an asynchronous error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createWgslMatmul, wgslSelfTest, type GpuDeviceLike, type MatmulShape, type WgslMatmul } from './wgsl/matmul';
import { createDeviceRuntime, type DeviceRuntime, type KernelCall, type RtDevice } from './wgsl/runtime';
import type { KernelSource } from './wgsl/kernels';

interface BridgeData {
  ctl: Int32Array;
  msg: Uint8Array;
  msgBytes: number;
  mode: string;
  data: Float32Array;
  sources: Record<string, string>;
  gpuJsPath: string;
  webgpuUrl: string;
  wgslOn: boolean;
  wgslSources: Record<string, string> | null;
  wgslDevice: string;
  residentOn: boolean;
  residentSources: Record<string, KernelSource> | null;
}

/** A gpu.js kernel: WebGPU's return a Promise. */
type GpuJsKernel = (...args: Float32Array[]) => Float32Array | Promise<Float32Array>;
interface GpuJs {
  createKernel(source: string, settings: object): GpuJsKernel;
}
interface GpuJsModule {
  GPU: new (o: { mode: string }) => GpuJs;
  WebGPUContext?: { acquire?(): Promise<{ device: unknown }> };
}
interface AdapterLike {
  info?: { description?: string; device?: string; vendor?: string; architecture?: string };
  isFallbackAdapter?: boolean;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  requestDevice(d: object): Promise<unknown>;
}
interface NavigatorGpu {
  requestAdapter(): Promise<AdapterLike | null>;
}
type Job =
  | { close: true }
  | { batch: ResidentMessage[]; read?: { id: number }; data?: Float32Array }
  | { wgsl: MatmulShape; args: [number, number][]; outOffset: number; data?: Float32Array }
  | {
      spec: { key: string; source: string; output: number; constants: object; loopMax: number };
      args: [number, number][];
      outOffset: number;
      data?: Float32Array;
    };
type ResidentMessage =
  { rt: 'upload'; id: number; values: Float32Array } | { rt: 'run'; call: KernelCall } | { rt: 'free'; ids: number[] };

const wd = workerData as BridgeData;
const { ctl, msg, mode, gpuJsPath, webgpuUrl, sources, wgslOn, wgslSources, wgslDevice, residentOn } = wd;
const req = require as (id: string) => unknown;
let data = wd.data;
const kernels = new Map<string, GpuJsKernel>();
let gpu: GpuJs | null = null;
let wgsl: WgslMatmul | null = null;
let rt: DeviceRuntime | null = null;
let rtError: unknown = null;
let wgslDev: { destroy?(): void } | null = null;
let adapterName = '';

const errorText = (e: unknown, stack = true): string =>
  String((e instanceof Error ? (stack ? e.stack : e.message) : undefined) ?? e);

function signal(state: number, text?: string): void {
  if (text) {
    const b = Buffer.from(text.slice(0, wd.msgBytes / 2));
    msg.set(b);
    Atomics.store(ctl, 1, b.length);
  }
  Atomics.store(ctl, 0, state);
  Atomics.notify(ctl, 0);
}

/**
 * Adapter and device wrapped so that gpu.js's assignment of a plain function to
 * `onuncapturederror` (which Dawn rejects) is dropped, and addEventListener never throws.
 */
function wrap<T extends object>(obj: T): T {
  return new Proxy(obj, {
    get(t, p) {
      const v: unknown = Reflect.get(t, p, t);
      if (typeof v !== 'function') return v;
      const f = v as (...a: unknown[]) => unknown;
      if (p === 'addEventListener')
        return (...a: unknown[]) => {
          try {
            return f.apply(t, a);
          } catch {
            return undefined;
          }
        };
      return (...a: unknown[]) => {
        const r = f.apply(t, a);
        const thenable = r as PromiseLike<unknown> | null;
        return (p === 'requestAdapter' || p === 'requestDevice') && typeof thenable?.then === 'function'
          ? thenable.then((x: unknown) => (x && typeof x === 'object' ? wrap(x) : x))
          : r;
      };
    },
    set(t, p, v) {
      if (p === 'onuncapturederror') return true;
      return Reflect.set(t, p, v, t);
    },
  });
}

/** A test's stand-in device (a module exporting createDevice), or gpu.js's own shared device. */
async function wgslDeviceHere(): Promise<unknown> {
  if (wgslDevice) return (req(wgslDevice) as { createDevice(): Promise<unknown> }).createDevice();
  const { WebGPUContext } = req(gpuJsPath) as GpuJsModule;
  if (WebGPUContext && typeof WebGPUContext.acquire === 'function') return (await WebGPUContext.acquire()).device;
  const nav = (globalThis as unknown as { navigator: { gpu: NavigatorGpu } }).navigator;
  const adapter = (await nav.gpu.requestAdapter()) as AdapterLike;
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
}

async function init(): Promise<void> {
  if (mode === 'webgpu') {
    // Dawn's package is ES-module only: a dynamic import (kept as one in the CommonJS build).
    const wg = (await import(webgpuUrl)) as { globals: object; create(flags: string[]): NavigatorGpu };
    Object.assign(globalThis, wg.globals);
    const nav = { gpu: wrap(wg.create([])) };
    (globalThis as unknown as { navigator: unknown }).navigator = nav;
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() answered null: no WebGPU adapter here');
    const info = adapter.info ?? {};
    adapterName = [
      info.description || info.device || info.vendor || 'unnamed adapter',
      info.architecture === 'software' || adapter.isFallbackAdapter ? 'software' : '',
    ]
      .filter(Boolean)
      .join(', ');
  }
  const { GPU } = req(gpuJsPath) as GpuJsModule;
  gpu = new GPU({ mode });
  const k = gpu.createKernel('function (a) { return a[this.thread.x] * 2 + 1; }', { output: [3] });
  const r = await k(new Float32Array([1, 2, 3]));
  if (!(r[0] === 3 && r[1] === 5 && r[2] === 7)) throw new Error('a test kernel answered ' + Array.from(r).join(', '));
  if (wgslOn) {
    const device = await wgslDeviceHere();
    wgslDev = device as { destroy?(): void };
    wgsl = createWgslMatmul(device as GpuDeviceLike, { sources: wgslSources as Record<string, string> });
    await wgslSelfTest(wgsl);
    if (residentOn) {
      rt = createDeviceRuntime(device as RtDevice, { sources: wd.residentSources as Record<string, KernelSource> });
      rt.upload(1, new Float32Array(1)); // the fence's buffer (Residency's ids start at 2)
    }
  }
}

function residentCall(m: ResidentMessage): void {
  try {
    const runtime = rt as DeviceRuntime;
    if (m.rt === 'upload') runtime.upload(m.id, m.values);
    else if (m.rt === 'run') runtime.run(m.call);
    else for (const id of m.ids) runtime.free(id);
  } catch (e) {
    if (!rtError) rtError = e;
  }
}

function residentRead(job: { id: number }): void {
  if (rtError) {
    const e = rtError;
    rtError = null;
    return signal(2, errorText(e));
  }
  (rt as DeviceRuntime).read(job.id, data, 0).then(
    () => signal(1),
    (e: unknown) => signal(2, errorText(e)),
  );
}

/** The process is exiting: the device finishes what it has and is destroyed; this thread never returns. */
async function close(): Promise<void> {
  // Dawn aborts at exit while a device that ran work is alive, or while a promise of its own (an
  // error scope's pop) is pending: a read settles them all first.
  try {
    if (rt) {
      await rt.read(1, new Float32Array(1), 0).catch(() => undefined);
      rt.destroy();
    }
  } catch {
    /* exiting anyway */
  }
  try {
    wgslDev?.destroy?.();
  } catch {
    /* exiting anyway */
  }
  signal(1);
  // Never back to this thread's event loop: Dawn's binding would tick the destroyed device there.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

async function runJob(job: Job): Promise<void> {
  if ('close' in job) return close();
  if (job.data) data = job.data;
  if ('batch' in job) {
    // Closing (ctl[2] set): the process is exiting, so queued work is dropped, not run.
    if (Atomics.load(ctl, 2)) return;
    for (const m of job.batch) residentCall(m);
    if (job.read) residentRead(job.read);
    return;
  }
  const args = job.args.map(([off, len]) => data.slice(off, off + len));
  if ('wgsl' in job) {
    await (wgsl as WgslMatmul).run(args[0], args[1], job.wgsl, data, job.outOffset);
    return signal(1);
  }
  let k = kernels.get(job.spec.key);
  if (!k) {
    k = (gpu as GpuJs).createKernel(sources[job.spec.source], {
      output: [job.spec.output],
      constants: job.spec.constants,
      loopMaxIterations: Math.max(1, job.spec.loopMax),
      precision: 'single',
      tactic: 'precision',
    });
    kernels.set(job.spec.key, k);
  }
  const out = await k(...args);
  data.set(out, job.outOffset);
  signal(1);
}

init().then(
  () => signal(1, adapterName),
  (e: unknown) => signal(2, errorText(e, false)),
);
parentPort?.on('message', (job: Job) => {
  runJob(job).catch((e: unknown) => signal(2, errorText(e)));
});
