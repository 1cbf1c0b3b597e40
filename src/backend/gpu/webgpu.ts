import { createRequire } from 'node:module';
import { flag, parseFlag } from '../../config/flags';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { GpuMode, ModeProbe, dawnLoadError, probeMode, registerWebGPUProber } from './modes';
import type { Runner } from './runner';
import { KernelSpec, SOURCES } from './sources';
import { decodeMatmulSpec, variantKey, wgslMatmulSources } from './wgsl/matmul';
import { DeviceLink, Residency } from './resident';
import { deviceKernelSources } from './wgsl/kernels';
import type { KernelCall } from './wgsl/runtime';
import { startWorker } from '../start-worker';

/**
 * gpu.js's WebGPU kernels return Promises (readback is `mapAsync`), while the
 * kernel interface is synchronous. So webgpu kernels run in a worker thread
 * that owns the device, and this thread blocks on Atomics.wait until the
 * worker has written the result into shared memory: a synchronous call over
 * an asynchronous API, at the price of one copy in and one out per kernel.
 *
 * The worker (webgpu-worker.ts, an entry module) sets up Dawn's `webgpu` package as
 * docs/webgpu-node.md describes, which also says which versions rxnn uses and why.
 *
 * The same bridge runs any gpu.js mode (`BridgeRunner('webasm')` is how the
 * tests exercise it on machines without a GPU).
 *
 * In webgpu mode, matmul does not use gpu.js's one-output-per-thread kernel
 * but the tiled WGSL sgemm of wgsl/matmul.ts, on the same Dawn device as
 * gpu.js's kernels (gpu.js's shared WebGPUContext; an adapter vends one
 * device). The worker checks it on small odd shapes at start-up, and webgpu
 * mode fails to start, saying why, if that check fails. RXNN_WEBGPU_MATMUL=gpujs
 * selects gpu.js's kernel instead (the BridgeRunner's `matmulEngine` says
 * which one runs).
 *
 * Resident mode (the default with the WGSL matmul): the worker also runs a
 * DeviceRuntime (wgsl/runtime.ts) holding buffers by id, and the engine's
 * kernels (device-kernels.ts) post calls on ids instead of copying arrays:
 * calls queue here and go over in batches, and only a read (K.read of a
 * device-resident array, resident.ts) blocks for an answer. The copy per call
 * described above then remains only for `run()` (benchmarks, RXNN_WEBGPU_RESIDENT=0).
 */
const req = createRequire(__filename);

/** ctl[0]: 0 pending, 1 done, 2 failed; ctl[1]: message length in bytes; ctl[2]: 1 once closing. */
const CTL_INTS = 4;
const MSG_BYTES = 4096;

/** RXNN_WEBGPU_RESIDENT (src/config/flags.ts), or `raw` when given: whether tensors stay on the device in webgpu mode. */
export function webgpuResident(raw?: string): boolean {
  return raw === undefined ? flag('RXNN_WEBGPU_RESIDENT') : parseFlag('RXNN_WEBGPU_RESIDENT', raw);
}

/** Which kernel runs matmul in a BridgeRunner. */
export type MatmulEngine = 'wgsl' | 'gpujs';

export interface BridgeOptions {
  /**
   * Tensors stay on the device (resident.ts, device-kernels.ts): the default in webgpu mode
   * with the WGSL matmul; RXNN_WEBGPU_RESIDENT=0 turns it off (every kernel call then copies
   * its operands in and its result out, as before).
   */
  resident?: boolean;
  /**
   * Tests only: a module exporting `createDevice(): Promise<device>`, a stand-in
   * WebGPU device on which matmul runs the WGSL host code in any mode.
   */
  wgslDevice?: string;
}

/** RXNN_WEBGPU_MATMUL (src/config/flags.ts), or `raw` when given: which kernel runs matmul in webgpu mode. */
export function webgpuMatmulEngine(raw?: string): MatmulEngine {
  return raw === undefined ? flag('RXNN_WEBGPU_MATMUL') : parseFlag('RXNN_WEBGPU_MATMUL', raw);
}

export class BridgeRunner implements Runner {
  private readonly worker: Worker;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  private readonly msg = new Uint8Array(new SharedArrayBuffer(MSG_BYTES));
  private data = new Float32Array(new SharedArrayBuffer(1 << 20));
  private readonly keys = new Set<string>();
  compiles = 0;
  /** webgpu mode: the adapter's description as Dawn gives it, ', software' added for a CPU one (lavapipe). */
  adapter = '';
  /** What runs matmul: the tiled WGSL kernel (webgpu mode) or gpu.js's kernel. */
  readonly matmulEngine: MatmulEngine;

  /** Set when tensors stay on the device: what device-kernels.ts runs through. */
  readonly residency: Residency | null = null;
  private pending: object[] = [];
  private transfers: ArrayBuffer[] = [];

  /** Starts the worker and blocks until it has a device and a test kernel answered (or throws why not). */
  constructor(
    readonly mode: GpuMode,
    timeoutMs = 30_000,
    opts: BridgeOptions = {},
  ) {
    this.matmulEngine = opts.wgslDevice ? 'wgsl' : mode === 'webgpu' ? webgpuMatmulEngine() : 'gpujs';
    const wgslOn = this.matmulEngine === 'wgsl';
    const resident = wgslOn && mode === 'webgpu' && !opts.wgslDevice && (opts.resident ?? webgpuResident());
    const webgpuUrl = mode === 'webgpu' ? pathToFileURL(req.resolve('webgpu')).href : '';
    this.worker = startWorker(__dirname, 'webgpu-worker', {
      workerData: {
        ctl: this.ctl,
        msg: this.msg,
        msgBytes: MSG_BYTES,
        mode,
        data: this.data,
        sources: SOURCES,
        gpuJsPath: req.resolve('gpu.js'),
        webgpuUrl,
        wgslOn,
        wgslSources: wgslOn ? wgslMatmulSources() : null,
        wgslDevice: opts.wgslDevice ?? '',
        residentOn: resident,
        residentSources: resident ? deviceKernelSources() : null,
      },
    });
    this.worker.unref();
    this.adapter = this.wait(timeoutMs, 'start');
    if (resident) this.residency = new Residency(this.link);
    process.once('exit', () => this.close());
  }

  private closed = false;
  /**
   * Destroys the device before the process exits (Dawn was seen to abort at exit with a device
   * that had run work still alive, or with work still queued): the worker drops what is queued,
   * waits for what the device already has, and destroys it; this waits up to 60 s for that.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      Atomics.store(this.ctl, 2, 1); // the worker drops what is still queued
      this.worker.postMessage({ close: true });
      // Work the device already has must finish first (as a GPU context's teardown waits for it).
      this.wait(60_000, 'close');
    } catch {
      /* the worker is gone or stuck: exiting anyway */
    }
  }

  /**
   * The resident mode's channel to the worker's DeviceRuntime. Calls are queued and
   * posted in batches (a message costs microseconds; a training step makes dozens of
   * calls); read posts what is queued with the read and blocks for the answer.
   */
  readonly link: DeviceLink = {
    upload: (id, values) => {
      // Copied now (the caller may write its array next), handed over without a second copy.
      const copy = values.slice();
      this.transfers.push(copy.buffer);
      this.queue({ rt: 'upload', id, values: copy });
    },
    run: (call: KernelCall) => this.queue({ rt: 'run', call }),
    free: (ids) => this.queue({ rt: 'free', ids }),
    read: (id, into) => {
      let fresh: Float32Array | undefined;
      if (into.length > this.data.length) {
        fresh = this.data = new Float32Array(new SharedArrayBuffer(Math.max(into.length, 2 * this.data.length) * 4));
      }
      this.postBatch({ read: { id }, data: fresh });
      this.sinceRead = 0;
      this.wait(600_000, `read of ${into.length} values`);
      into.set(this.data.subarray(0, into.length));
    },
  };

  /** Calls queued before this many are posted without waiting for a read. */
  private static readonly BATCH = 64;
  /**
   * Calls posted since the last read after which the next batch waits for the device (a
   * fence): a loop that never reads (fit) must not queue unbounded work and uploads.
   */
  private static readonly FENCE = 2048;
  private sinceRead = 0;
  /** Fences waited for so far (tests). */
  fences = 0;

  private queue(m: object): void {
    this.pending.push(m);
    if (this.pending.length < BridgeRunner.BATCH) return;
    this.sinceRead += this.pending.length;
    if (this.sinceRead < BridgeRunner.FENCE) {
      this.postBatch({});
      return;
    }
    this.postBatch({ read: { id: 1 } }); // buffer 1: the worker's one-float fence
    this.sinceRead = 0;
    this.wait(600_000, 'a fence');
    this.fences++;
  }

  private postBatch(extra: { read?: { id: number }; data?: Float32Array }): void {
    const batch = this.pending,
      transfers = this.transfers;
    this.pending = [];
    this.transfers = [];
    this.worker.postMessage({ batch, ...extra }, transfers);
  }

  get cached(): number {
    return this.keys.size;
  }

  /** Blocks until the worker signals; returns the text it sent with success (if any), throws its error. */
  private wait(timeoutMs: number, what: string): string {
    const r = Atomics.wait(this.ctl, 0, 0, timeoutMs);
    const state = Atomics.load(this.ctl, 0);
    if (r === 'timed-out' || state === 0) {
      void this.worker.terminate();
      throw new Error(`${this.mode} worker: no answer to ${what} within ${timeoutMs} ms`);
    }
    if (state === 2) {
      const text = Buffer.from(this.msg.subarray(0, Atomics.load(this.ctl, 1))).toString();
      if (what === 'start') void this.worker.terminate();
      Atomics.store(this.ctl, 1, 0);
      Atomics.store(this.ctl, 0, 0);
      throw new Error(`${this.mode} worker (${what}): ${text}`);
    }
    const len = Atomics.load(this.ctl, 1);
    const text = len ? Buffer.from(this.msg.subarray(0, len)).toString() : '';
    Atomics.store(this.ctl, 1, 0);
    Atomics.store(this.ctl, 0, 0);
    return text;
  }

  /**
   * Runs one kernel. `repeat` (benchmarks, WGSL matmul only) dispatches it that many
   * times before the one readback, so that kernel time is a difference of two calls.
   */
  run(spec: KernelSpec, args: Float32Array[], opts: { repeat?: number } = {}): Float32Array {
    if (spec.source === 'matmul' && this.matmulEngine === 'wgsl') {
      if (spec.output === 0) return new Float32Array(0);
      if (spec.constants.k === 0) return new Float32Array(spec.output);
      const decoded = decodeMatmulSpec(spec.constants, spec.output);
      const shape = decoded && opts.repeat ? { ...decoded, repeat: opts.repeat } : decoded;
      if (!shape) {
        throw new Error(
          `gpu backend (webgpu): cannot read a matmul from the spec ${JSON.stringify(spec)}; ` +
            'ops.ts and wgsl/matmul.ts disagree on its constants',
        );
      }
      // One pipeline per variant (transposes, vec4 stores), whatever the shape.
      return this.post(
        `wgsl-matmul:${variantKey(shape.transA, shape.transB, shape.n % 4 === 0)}`,
        spec.key,
        args,
        spec.output,
        (slots, outOffset, fresh) => ({ wgsl: shape, args: slots, outOffset, data: fresh }),
      );
    }
    return this.post(spec.key, spec.key, args, spec.output, (slots, outOffset, fresh) => ({
      spec,
      args: slots,
      outOffset,
      data: fresh,
    }));
  }

  /** Copies args into shared memory, posts the job, blocks until the worker has written `output` values after them. */
  private post(
    compileKey: string,
    what: string,
    args: Float32Array[],
    output: number,
    job: (slots: number[][], outOffset: number, fresh: Float32Array | undefined) => object,
  ): Float32Array {
    const need = args.reduce((s, a) => s + a.length, 0) + output;
    let fresh: Float32Array | undefined;
    if (need > this.data.length) {
      fresh = this.data = new Float32Array(new SharedArrayBuffer(Math.max(need, 2 * this.data.length) * 4));
    }
    let off = 0;
    const slots = args.map((a) => {
      this.data.set(a, off);
      const slot = [off, a.length];
      off += a.length;
      return slot;
    });
    if (!this.keys.has(compileKey)) {
      this.keys.add(compileKey);
      this.compiles++;
    }
    if (this.pending.length) this.postBatch({}); // resident calls queued before go first
    this.worker.postMessage(job(slots, off, fresh));
    this.wait(600_000, what);
    return this.data.slice(off, off + output);
  }
}

/**
 * Asks (once) whether gpu.js's webgpu mode runs here: Dawn's binding must
 * load and an adapter must answer. Blocks for the worker's start-up (up to
 * 30 s) only when the binding loads at all.
 */
let webgpuRunner: BridgeRunner | null | undefined;
let lastProbe: ModeProbe | undefined;
export function webgpuBridge(): { runner: BridgeRunner | null; probe: ModeProbe } {
  let probe: ModeProbe;
  if (webgpuRunner) return { runner: webgpuRunner, probe: { mode: 'webgpu', ok: true, why: 'ok' } };
  if (webgpuRunner === null) return { runner: null, probe: lastProbe as ModeProbe };
  // gpu.js loads the optional 'gl' addon when it loads, and 'gl' cannot load into a second
  // thread: probe headlessgl here first, so that this thread, not the worker's gpu.js, has it.
  probeMode('headlessgl');
  const dawn = dawnLoadError();
  if (dawn) {
    webgpuRunner = null;
    probe = { mode: 'webgpu', ok: false, why: `Dawn's node binding (npm 'webgpu') does not load here: ${dawn}` };
  } else {
    try {
      webgpuRunner = new BridgeRunner('webgpu');
      probe = { mode: 'webgpu', ok: true, why: 'ok' };
    } catch (e) {
      webgpuRunner = null;
      probe = { mode: 'webgpu', ok: false, why: (e as Error).message };
    }
  }
  lastProbe = probe;
  return { runner: webgpuRunner ?? null, probe };
}
registerWebGPUProber(() => webgpuBridge().probe);
