/**
 * The worker-side device runtime: float32 tensors kept resident on a WebGPU
 * device under caller-chosen ids, and one WGSL kernel per engine primitive
 * (kernels.ts) run on them, so that a training step moves only its inputs
 * and its loss across the bus.
 *
 * Ordering. WebGPU runs queue operations in order, but a queue.writeBuffer
 * runs before every command buffer submitted after it, so it must never
 * overtake work still sitting in an unsubmitted encoder. Here:
 * - dispatches are encoded into one pending encoder (one compute pass, ended
 *   for buffer copies) and submitted by flush(): on read, on flush(), when
 *   the batch has `batchSize` (32) commands, and before any upload into a
 *   buffer that pending work uses (a buffer records the batch that last bound it);
 * - each dispatch's parameters go into its own 256-byte slot of a CPU copy of
 *   the uniform buffer (bound with a dynamic offset), and gatherRows' indices
 *   into an index buffer's copy; flush() writes both with one writeBuffer each
 *   *just before* submitting: they reach the GPU ahead of exactly the batch
 *   that reads them, after every earlier batch (so slots are reused per batch);
 * - freed buffers go to a pool by byte size and are handed out again in call
 *   order, which the encoder preserves; a buffer destroyed while the pending
 *   batch uses it is destroyed after that batch's submit.
 *
 * Bind groups cost far more to create than a dispatch to encode (docs/internals.md
 * has the measurements), so they are cached by (kernel, buffers), which dynamic
 * offsets make independent of the uniform slot. Error scopes
 * wrap only what can fail at the call (buffer, pipeline, bind group creation,
 * writes) and each submit, which reports the encoder's errors; so an error is
 * reported, naming the call or the batch of calls, by the next read at the latest.
 *
 * The worker (../webgpu-worker.ts) imports this module; the WGSL travels as data (opts.sources).
 */
import { runCall, type Buf as AnyBuf, type KernelCall, type RuntimeCore } from './calls';
import { dispatchGrid, type KernelSource } from './kernels';

export type { BinaryKernelOp, KernelCall, UnaryKernelOp } from './calls';

export interface DeviceRuntimeStats {
  /** Commands encoded: compute dispatches and buffer copies. */
  dispatches: number;
  uploads: number;
  reads: number;
  /** Live ids, and the bytes of their GPU buffers (sizes are rounded up: bucketBytes). */
  buffers: number;
  bytes: number;
  submits: number;
  /** Bytes of freed buffers kept for reuse. */
  pooledBytes: number;
  pipelines: number;
  bindGroups: number;
}

export interface DeviceRuntime {
  /** Creates buffer `id` (reusing it when it exists with this length) and writes data into it. */
  upload(id: number, data: Float32Array): void;
  /** Buffer `id` is no longer used: its GPU buffer goes to the pool. An unknown id is a no-op. */
  free(id: number): void;
  /** Enqueues one kernel; outputs not yet existing are allocated. Throws on a malformed call. */
  run(call: KernelCall): void;
  /**
   * Copies buffer id into into[offset ..]. Rejects with the first error of
   * any earlier call since the last read (the copy is then not to be trusted).
   */
  read(id: number, into: Float32Array, offset?: number): Promise<void>;
  /** Submits anything pending. */
  flush(): void;
  readonly stats: DeviceRuntimeStats;
  destroy(): void;
}

export interface DeviceRuntimeOptions {
  /** deviceKernelSources() (kernels.ts). */
  sources: Record<string, KernelSource>;
  /** Bytes of freed buffers kept for reuse; default 256 MiB. */
  maxPoolBytes?: number;
  /** Commands per submitted batch (and uniform slots); default 32. */
  batchSize?: number;
  /** Bind groups cached; default 4096. */
  maxBindGroups?: number;
  /** Overrides maxComputeWorkgroupsPerDimension (tests: 2-D grids at small sizes). */
  maxGroupsPerDim?: number;
}

/* The slice of WebGPU used here (Dawn's node binding, or a browser's). */
interface RtBuffer {
  destroy(): void;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
}
interface RtPass {
  setPipeline(p: unknown): void;
  setBindGroup(index: number, g: unknown, offsets?: number[]): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface RtEncoder {
  beginComputePass(): RtPass;
  copyBufferToBuffer(src: RtBuffer, srcOffset: number, dst: RtBuffer, dstOffset: number, size: number): void;
  finish(): unknown;
}
export interface RtDevice {
  readonly limits: Record<string, number | undefined> | object;
  readonly queue: {
    writeBuffer(buffer: RtBuffer, offset: number, data: ArrayBufferView, dataOffset?: number, size?: number): void;
    submit(commands: unknown[]): void;
  };
  createBuffer(d: { size: number; usage: number; label?: string }): RtBuffer;
  createShaderModule(d: { code: string; label?: string }): {
    getCompilationInfo?(): Promise<{ messages: readonly { type: string; message: string; lineNum?: number }[] }>;
  };
  createBindGroupLayout(d: { entries: unknown[] }): unknown;
  createPipelineLayout(d: { bindGroupLayouts: unknown[] }): unknown;
  createComputePipeline(d: {
    layout: unknown;
    compute: { module: unknown; entryPoint: string };
    label?: string;
  }): unknown;
  createBindGroup(d: { layout: unknown; entries: unknown[]; label?: string }): unknown;
  createCommandEncoder(): RtEncoder;
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/**
 * A buffer's allocated size for `bytes`: at least 16 and a multiple of 16 (a
 * vec4 binding), and above 256 rounded up to an eighth of its power of two,
 * so freed buffers serve later requests of nearly the same size (at most
 * 12.5% more), unless that would pass `max`.
 */
export function bucketBytes(bytes: number, max: number): number {
  const exact = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (bytes <= 256) return exact;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  const rounded = Math.ceil(bytes / step) * step;
  return rounded <= max ? rounded : exact;
}

/** A call as an error message shows it (long index lists cut short). */
export function describeCall(call: unknown): string {
  const text = JSON.stringify(call, (key, v: unknown) =>
    Array.isArray(v) && v.length > 16 ? `[${v.length} values]` : v,
  );
  return text && text.length > 400 ? `${text.slice(0, 400)}...` : String(text);
}

export function createDeviceRuntime(device: RtDevice, opts: DeviceRuntimeOptions): DeviceRuntime {
  // WebGPU's GPUBufferUsage, GPUMapMode and GPUShaderStage bits.
  const MAP_READ = 0x1,
    COPY_SRC = 0x4,
    COPY_DST = 0x8,
    UNIFORM = 0x40,
    STORAGE = 0x80,
    MODE_READ = 0x1,
    COMPUTE = 0x4;
  const limits = (device.limits || {}) as Record<string, number | undefined>;
  const maxDim = opts.maxGroupsPerDim || limits.maxComputeWorkgroupsPerDimension || 65535;
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize || 134217728, limits.maxBufferSize || 268435456);
  const SLOT = Math.max(256, limits.minUniformBufferOffsetAlignment || 256);
  const INDEX_ALIGN = Math.max(256, limits.minStorageBufferOffsetAlignment || 256) / 4;
  const batchSize = Math.max(1, opts.batchSize || 32);
  const maxPool = opts.maxPoolBytes ?? 256 * 2 ** 20;
  const maxBindGroups = opts.maxBindGroups || 4096;
  const sources = opts.sources;

  type Buf = AnyBuf<RtBuffer>;
  interface Pipe {
    gpu: unknown;
    layout: unknown;
    bindings: string;
  }
  const tensors = new Map<number, { buf: Buf; length: number }>();
  const pool = new Map<number, Buf[]>();
  const staging = new Map<number, RtBuffer[]>();
  const pipes = new Map<string, Pipe>();
  const layouts = new Map<string, { group: unknown; pipeline: unknown }>();
  const groups = new Map<string, unknown>();
  const stats: DeviceRuntimeStats = {
    dispatches: 0,
    uploads: 0,
    reads: 0,
    buffers: 0,
    bytes: 0,
    submits: 0,
    pooledBytes: 0,
    pipelines: 0,
    bindGroups: 0,
  };
  let serials = 0,
    stagingBytes = 0,
    destroyed = false;

  // Errors: each scope gets a sequence number; the lowest that failed is the one a read reports.
  let firstError: Error | null = null,
    firstSeq = Infinity,
    seq = 0;
  let checked: Promise<unknown> = Promise.resolve();

  function fail(msg: string): never {
    throw new Error(`device runtime: ${msg}`);
  }

  function track(
    n: number,
    kind: string,
    p: Promise<{ message: string } | null>,
    what: () => string,
    detail?: () => Promise<string>,
  ) {
    const note = async (e: { message: string } | null | undefined) => {
      if (!e || n >= firstSeq) return;
      const extra = detail ? await detail().catch(() => '') : '';
      if (n >= firstSeq) return;
      firstSeq = n;
      firstError = new Error(`device runtime: ${kind} error in ${what()}: ${e.message}${extra}`);
    };
    checked = Promise.all([checked, p.then(note, note)]);
  }

  /** Runs f inside out-of-memory and validation scopes, popped at once (so other users of the device nest around them). */
  function scoped<T>(what: () => string, f: () => T, detail?: () => Promise<string>): T {
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      return f();
    } finally {
      const n = (seq += 2);
      track(n, 'validation', device.popErrorScope(), what, detail);
      track(n + 1, 'out-of-memory', device.popErrorScope(), what);
    }
  }

  function newBuf(bytes: number, usage: number, what: () => string): RtBuffer {
    return scoped(what, () => device.createBuffer({ size: bytes, usage }));
  }

  const uniform = newBuf(batchSize * SLOT, UNIFORM | COPY_DST, () => 'creating the parameter buffer');
  const params = new ArrayBuffer(batchSize * SLOT);
  const pu = new Uint32Array(params),
    pf = new Float32Array(params);
  let index: Buf = {
    gpu: newBuf(65536, STORAGE | COPY_DST, () => 'creating the index buffer'),
    bytes: 65536,
    serial: ++serials,
    used: -1,
  };
  let indexWords = new Uint32Array(65536 / 4);
  const dummy = (name: string): Buf => ({
    gpu: newBuf(16, STORAGE, () => `creating ${name}`),
    bytes: 16,
    serial: ++serials,
    used: -1,
  });
  // Stand-ins for absent optional operands (never read or written: the kernel's flags say so).
  const dummyR = dummy('a dummy input'),
    dummyW1 = dummy('a dummy output'),
    dummyW2 = dummy('a dummy output');

  // The pending batch: encoder, open pass, slots used (= commands), index words used.
  let enc: RtEncoder | null = null,
    pass: RtPass | null = null,
    slots = 0,
    indexUsed = 0,
    batch = 0;
  let calls: unknown[] = [];
  const deferred: RtBuffer[] = [];

  function flush(): void {
    if (!enc) return;
    if (pass) {
      pass.end();
      pass = null;
    }
    const e = enc,
      n = slots,
      w = indexUsed,
      batchCalls = calls;
    enc = null;
    slots = 0;
    indexUsed = 0;
    calls = [];
    batch++;
    scoped(
      () =>
        batchCalls.length === 1
          ? describeCall(batchCalls[0])
          : `a batch of ${batchCalls.length} calls: ${batchCalls.slice(0, 8).map(describeCall).join('; ')}${batchCalls.length > 8 ? '; ...' : ''}`,
      () => {
        if (n) device.queue.writeBuffer(uniform, 0, pu, 0, (n * SLOT) / 4);
        if (w) device.queue.writeBuffer(index.gpu, 0, indexWords, 0, w);
        device.queue.submit([e.finish()]);
      },
    );
    stats.submits++;
    for (const b of deferred) b.destroy();
    deferred.length = 0;
  }

  /** Claims the next command's uniform slot (submitting a full batch first); returns its first u32 word. */
  function begin(call: unknown): number {
    if (destroyed) fail('used after destroy()');
    if (slots >= batchSize) flush();
    if (!enc) enc = device.createCommandEncoder();
    if (calls[calls.length - 1] !== call) calls.push(call);
    return (slots * SLOT) / 4;
  }

  function pipeline(key: string): Pipe {
    const have = pipes.get(key);
    if (have) return have;
    const src = sources[key];
    if (!src) fail(`no WGSL for kernel '${key}' in opts.sources (pass deviceKernelSources())`);
    let layout = layouts.get(src.bindings);
    if (!layout) {
      const entries = src.bindings.split('').map((c, binding) => ({
        binding,
        visibility: COMPUTE,
        buffer:
          c === 'u'
            ? { type: 'uniform', hasDynamicOffset: true }
            : c === 'w'
              ? { type: 'storage' }
              : { type: 'read-only-storage', hasDynamicOffset: c === 'i' },
      }));
      layout = scoped(
        () => `creating the bind group layout '${src.bindings}'`,
        () => {
          const group = device.createBindGroupLayout({ entries });
          return { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: [group] }) };
        },
      );
      layouts.set(src.bindings, layout);
    }
    const lay = layout,
      call = calls[calls.length - 1];
    const module: ReturnType<RtDevice['createShaderModule']> = scoped(
      () => `compiling kernel '${key}' (first needed by ${describeCall(call)})`,
      () => device.createShaderModule({ code: src.wgsl, label: key }),
      async (): Promise<string> => {
        const info = module.getCompilationInfo ? await module.getCompilationInfo() : null;
        return info ? ` (${info.messages.map((m) => `${m.type} line ${m.lineNum}: ${m.message}`).join('; ')})` : '';
      },
    );
    const gpu = scoped(
      () => `creating the pipeline of kernel '${key}'`,
      () => device.createComputePipeline({ layout: lay.pipeline, compute: { module, entryPoint: 'main' }, label: key }),
    );
    const p = { gpu, layout: lay.group, bindings: src.bindings };
    pipes.set(key, p);
    stats.pipelines++;
    return p;
  }

  /** Encodes one dispatch of kernel `key` on bufs (in binding order, skipping 'u' and 'i') into the slot begin() gave. */
  function dispatch(key: string, bufs: Buf[], x: number, y: number, indexAt = 0, indexBytes = 0): void {
    const p = pipeline(key);
    let k = key;
    for (let i = 0; i < bufs.length; i++) k += `,${bufs[i].serial}`;
    if (indexBytes) k += `|${index.serial}:${indexBytes}`;
    let g = groups.get(k);
    if (!g) {
      const entries: unknown[] = [];
      for (let b = 0, j = 0; b < p.bindings.length; b++) {
        const c = p.bindings[b];
        const resource =
          c === 'u'
            ? { buffer: uniform, offset: 0, size: SLOT }
            : c === 'i'
              ? { buffer: index.gpu, offset: 0, size: indexBytes }
              : { buffer: bufs[j++].gpu };
        entries.push({ binding: b, resource });
      }
      g = scoped(
        () => `binding buffers for kernel '${key}' (${describeCall(calls[calls.length - 1])})`,
        () => device.createBindGroup({ layout: p.layout, entries }),
      );
      if (groups.size >= maxBindGroups) {
        // Drop the oldest quarter: groups of freed-and-destroyed buffers age out this way too.
        let drop = maxBindGroups >> 2;
        for (const old of groups.keys()) {
          if (drop-- <= 0) break;
          groups.delete(old);
        }
      }
      groups.set(k, g);
      stats.bindGroups++;
    }
    if (!pass) pass = (enc as RtEncoder).beginComputePass();
    pass.setPipeline(p.gpu);
    pass.setBindGroup(0, g, indexBytes ? [indexAt * 4, slots * SLOT] : [slots * SLOT]);
    pass.dispatchWorkgroups(x, y);
    slots++;
    stats.dispatches++;
    for (let i = 0; i < bufs.length; i++) bufs[i].used = batch;
  }

  /** A 1-D kernel of `count` threads in 256-thread workgroups. */
  function dispatch1(key: string, bufs: Buf[], count: number, indexAt = 0, indexBytes = 0): void {
    const [x, y] = dispatchGrid(Math.ceil(count / 256), maxDim);
    dispatch(key, bufs, x, y, indexAt, indexBytes);
  }

  function copy(call: unknown, src: Buf, dst: Buf, bytes: number): void {
    begin(call);
    if (pass) {
      pass.end();
      pass = null;
    }
    (enc as RtEncoder).copyBufferToBuffer(src.gpu, 0, dst.gpu, 0, bytes);
    slots++;
    stats.dispatches++;
    src.used = dst.used = batch;
  }

  /* ---------------------------------------------------------------- buffers */

  function alloc(length: number, what: () => string): Buf {
    const bytes = bucketBytes(length * 4, maxBinding);
    const list = pool.get(bytes);
    const reuse = list && list.pop();
    if (reuse) {
      stats.pooledBytes -= bytes;
      return reuse;
    }
    return { gpu: newBuf(bytes, STORAGE | COPY_SRC | COPY_DST, what), bytes, serial: ++serials, used: -1 };
  }

  function release(b: Buf): void {
    if (stats.pooledBytes + b.bytes <= maxPool) {
      let list = pool.get(b.bytes);
      if (!list) pool.set(b.bytes, (list = []));
      list.push(b);
      stats.pooledBytes += b.bytes;
    } else if (enc && b.used === batch) {
      deferred.push(b.gpu);
    } else {
      b.gpu.destroy();
    }
  }

  function free(id: number): void {
    const t = tensors.get(id);
    if (!t || destroyed) return;
    tensors.delete(id);
    stats.buffers--;
    stats.bytes -= t.buf.bytes;
    release(t.buf);
  }

  function checkLength(length: number, arg: string): number {
    if (!Number.isInteger(length) || length < 0) fail(`${arg} = ${length}: expected an integer >= 0`);
    if (length * 4 > maxBinding) {
      fail(
        `${arg} = ${length} floats (${length * 4} bytes): over this device's largest storage binding (${maxBinding} bytes)`,
      );
    }
    return length;
  }

  function checkId(id: number, arg: string): void {
    if (!Number.isInteger(id) || id <= 0) fail(`${arg} = ${id}: expected a positive integer id`);
  }

  /** The buffer of input `id`, holding exactly `length` floats. */
  function input(id: number, arg: string, length: number, why = ''): Buf {
    const t = tensors.get(id);
    if (!t) fail(`${arg} = ${id}: no buffer has this id (upload it, or make it an earlier call's output)`);
    if (t.length !== length) fail(`${arg} = ${id} holds ${t.length} floats, expected ${length}${why}`);
    return t.buf;
  }

  /** Checks output `id` (an existing one must have `length`); allocation comes later, once the whole call is checked. */
  function checkOutput(id: number, arg: string, length: number, why = ''): void {
    checkId(id, arg);
    checkLength(length, `${arg}'s length`);
    const t = tensors.get(id);
    if (t && t.length !== length)
      fail(`${arg} = ${id} exists with ${t.length} floats, expected ${length}${why} (free it first)`);
  }

  function output(id: number, length: number): Buf {
    const have = tensors.get(id);
    if (have) return have.buf;
    const buf = alloc(length, () => `allocating ${length} floats for buffer ${id}`);
    tensors.set(id, { buf, length });
    stats.buffers++;
    stats.bytes += buf.bytes;
    return buf;
  }

  /** A buffer written by a kernel may not be any other operand of it (WebGPU forbids the aliasing). */
  function distinct(
    kernel: string,
    written: [string, number | undefined][],
    others: [string, number | undefined][],
  ): void {
    const all = written.concat(others);
    for (const [w, id] of written) {
      if (id === undefined) continue;
      for (const [o, other] of all)
        if (o !== w && other === id)
          fail(`${kernel}: ${w} and ${o} are both buffer ${id}; ${w} must be a buffer of its own`);
    }
  }

  function checkShape(shape: unknown, arg: string): number {
    if (!Array.isArray(shape)) fail(`${arg} = ${String(shape)}: expected an array of dims`);
    const s = shape as number[];
    if (s.length > 8) fail(`${arg} = [${s.join(', ')}]: rank ${s.length}, expected at most 8`);
    let size = 1;
    for (const d of s) {
      if (!Number.isInteger(d) || d < 0) fail(`${arg} = [${s.join(', ')}]: dim ${d} is not an integer >= 0`);
      size *= d;
    }
    return size;
  }

  function checkNumber(v: number, arg: string): void {
    if (typeof v !== 'number') fail(`${arg} = ${String(v)}: expected a number`);
  }

  /** The index buffer's slice for `index` (aligned for a dynamic offset; flush() writes it), after begin(). */
  function beginIndexed(call: unknown, idx: readonly number[]): { word: number; at: number } {
    let at = Math.ceil(indexUsed / INDEX_ALIGN) * INDEX_ALIGN;
    if (at + idx.length > indexWords.length) {
      flush();
      at = 0;
      if (idx.length > indexWords.length) {
        // The old buffer's users are submitted: destroying it now is safe.
        const words = Math.max(idx.length, 2 * indexWords.length);
        index.gpu.destroy();
        index = {
          gpu: newBuf(words * 4, STORAGE | COPY_DST, () => `growing the index buffer to ${words} words`),
          bytes: words * 4,
          serial: ++serials,
          used: -1,
        };
        indexWords = new Uint32Array(words);
      }
    }
    // begin() may submit a full batch (indexUsed back to 0): the slice then belongs to the next one.
    const word = begin(call);
    for (let r = 0; r < idx.length; r++) indexWords[at + r] = idx[r];
    indexUsed = at + idx.length;
    return { word, at };
  }

  const core: RuntimeCore = {
    pu,
    pf,
    maxDim,
    dummyR,
    dummyW1,
    dummyW2,
    fail,
    checkLength,
    checkShape,
    checkNumber,
    input,
    hasKernel: (key: string) => Object.prototype.hasOwnProperty.call(sources, key),
    kernelOps: (family: string) => {
      const ops: string[] = [];
      for (const key of Object.keys(sources)) {
        const [f, op] = key.split(':');
        if (f === family && op && ops.indexOf(op) < 0) ops.push(op);
      }
      return ops;
    },
    lengthOf: (id: number) => {
      const t = tensors.get(id);
      return t ? t.length : undefined;
    },
    checkOutput,
    output,
    distinct,
    begin,
    beginIndexed,
    dispatch,
    dispatch1,
    copy,
    alloc,
    release,
  };

  function run(call: KernelCall): void {
    if (destroyed) fail('used after destroy()');
    runCall(core, call);
  }

  function upload(id: number, data: Float32Array): void {
    if (destroyed) fail('used after destroy()');
    checkId(id, 'upload.id');
    if (!(data instanceof Float32Array))
      fail(`upload.data: expected a Float32Array, got ${Object.prototype.toString.call(data)}`);
    checkLength(data.length, 'upload.data.length');
    let t = tensors.get(id);
    if (t && t.length !== data.length) {
      free(id);
      t = undefined;
    }
    const buf = t ? t.buf : output(id, data.length);
    stats.uploads++;
    if (!data.length) return;
    // Pending work binds this buffer (as it is, or before it was freed): it must run before the write.
    if (buf.used === batch && enc) flush();
    scoped(
      () => `uploading ${data.length} floats to buffer ${id}`,
      () => device.queue.writeBuffer(buf.gpu, 0, data, 0, data.length),
    );
  }

  function takeStaging(bytes: number): RtBuffer {
    const list = staging.get(bytes);
    const have = list && list.pop();
    if (have) {
      stagingBytes -= bytes;
      return have;
    }
    return newBuf(bytes, MAP_READ | COPY_DST, () => `creating a ${bytes}-byte readback buffer`);
  }

  function giveStaging(bytes: number, b: RtBuffer): void {
    if (stagingBytes + bytes > 64 * 2 ** 20 || destroyed) {
      b.destroy();
      return;
    }
    let list = staging.get(bytes);
    if (!list) staging.set(bytes, (list = []));
    list.push(b);
    stagingBytes += bytes;
  }

  function read(id: number, into: Float32Array, offset = 0): Promise<void> {
    if (destroyed) fail('used after destroy()');
    const t = tensors.get(id);
    if (!t) fail(`read.id = ${id}: no buffer has this id`);
    const tt = t;
    if (!(into instanceof Float32Array))
      fail(`read.into: expected a Float32Array, got ${Object.prototype.toString.call(into)}`);
    if (!Number.isInteger(offset) || offset < 0 || offset + tt.length > into.length) {
      fail(`read.offset = ${offset}: buffer ${id}'s ${tt.length} floats do not fit into ${into.length} from there`);
    }
    stats.reads++;
    const bytes = tt.length * 4,
      size = bucketBytes(bytes, Infinity);
    let box: RtBuffer | null = null;
    if (bytes) {
      box = takeStaging(size);
      begin({ kernel: 'read', id });
      if (pass) {
        pass.end();
        pass = null;
      }
      (enc as RtEncoder).copyBufferToBuffer(tt.buf.gpu, 0, box, 0, bytes);
      slots++;
    }
    flush();
    const errors = checked;
    // Dawn's node binding does not keep the process alive while a map is pending.
    const keep = typeof setInterval === 'function' ? setInterval(() => undefined, 1000) : null;
    return (async () => {
      let mapError: unknown = null;
      try {
        if (box) {
          try {
            await box.mapAsync(MODE_READ, 0, bytes);
            into.set(new Float32Array(box.getMappedRange(0, bytes)), offset);
            box.unmap();
            giveStaging(size, box);
          } catch (e) {
            mapError = e;
            box.destroy();
          }
        }
        await errors;
        if (firstError) {
          const e = firstError;
          firstError = null;
          firstSeq = Infinity;
          throw e;
        }
        if (mapError)
          throw new Error(
            `device runtime: reading buffer ${id}: ${mapError instanceof Error && mapError.message ? mapError.message : JSON.stringify(mapError)}`,
          );
      } finally {
        if (keep !== null) clearInterval(keep);
      }
    })();
  }

  function destroy(): void {
    if (destroyed) return;
    flush();
    destroyed = true;
    for (const t of tensors.values()) t.buf.gpu.destroy();
    for (const list of pool.values()) for (const b of list) b.gpu.destroy();
    for (const list of staging.values()) for (const b of list) b.destroy();
    for (const b of [index, dummyR, dummyW1, dummyW2]) b.gpu.destroy();
    uniform.destroy();
    tensors.clear();
    pool.clear();
    staging.clear();
    groups.clear();
    pipes.clear();
    stats.buffers = 0;
    stats.bytes = 0;
    stats.pooledBytes = 0;
  }

  return { upload, free, run, read, flush, stats, destroy };
}
