import { release as releaseHost } from '../js/pool';
import type { KernelCall } from './wgsl/runtime';

/**
 * Arrays whose values live on a device (the gpu backend's webgpu mode).
 *
 * The engine's handle to a tensor's values is its Float32Array (Tensor.storage):
 * kernels take and return them, and the engine compares them by identity. Here a
 * device kernel's result is such an array too, of the right length, whose values
 * are on the device only until someone reads them (K.sync, which Tensor.data
 * calls). So weights, activations and gradients stay on the device across a
 * training step, and only what is read (the loss) comes back.
 *
 * Each array the device has seen gets an id (its buffer in the worker's
 * DeviceRuntime) and one of two states:
 * - device: the device holds the current values; the host array is stale.
 * - host:   the host array is current (it was read, or never left the host); the
 *           device's copy, if any, is out of date and is uploaded again on next use.
 * After a read the host array may be written by anyone holding it, so it is never
 * assumed to equal the device's copy: a host array is uploaded at every device use.
 * Plain host arrays (user data, js kernels' results) are not tracked until a device
 * kernel takes one as input.
 *
 * Released results (K.release) keep their id and buffer and come back as later
 * results of the same length; results the program drops are freed on the device
 * once the collector has taken them (FinalizationRegistry).
 */
export interface DeviceLink {
  /** Posts values for buffer `id` (copied). */
  upload(id: number, data: Float32Array): void;
  /** Posts one kernel call. */
  run(call: KernelCall): void;
  /** Posts buffers that nothing uses any more. */
  free(ids: number[]): void;
  /** Blocks until buffer `id`'s values are in `into`; throws the first error of any call since the last read. */
  read(id: number, into: Float32Array): void;
}

const DEVICE = 1,
  HOST = 0;
interface Entry {
  id: number;
  state: number;
}

/** Released results kept for reuse, per length and in all. */
const PER_LENGTH = 16;
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

export class Residency {
  private readonly entries = new WeakMap<Float32Array, Entry>();
  /** Arrays in the device state, by id: what drain() reads back. */
  private readonly onDevice = new Map<number, WeakRef<Float32Array>>();
  private readonly kept = new Map<number, Float32Array[]>();
  private keptBytes = 0;
  /** Ids from 2: the bridge keeps buffer 1 for its fence (webgpu.ts). */
  private nextId = 2;
  private readonly dropped: number[] = [];
  private readonly finalizer = new FinalizationRegistry<number>((id) => this.dropped.push(id));
  /** Readbacks (sync of a device array) and uploads so far: a training step's counts are tested. */
  reads = 0;
  uploads = 0;

  constructor(private readonly link: DeviceLink) {}

  /** The device id holding `a`'s current values, uploading them when the host has them. */
  input(a: Float32Array): number {
    const e = this.entries.get(a) ?? this.track(a);
    if (e.state === HOST) {
      this.link.upload(e.id, a);
      this.uploads++;
    }
    return e.id;
  }

  /** For an in-place kernel: as input(), and the device's values are the current ones afterwards. */
  inout(a: Float32Array): number {
    const id = this.input(a);
    this.markDevice(a, this.entries.get(a) as Entry);
    return id;
  }

  /** For a kernel that overwrites all of `a` (fill): its id, without uploading what it held. */
  target(a: Float32Array): number {
    const e = this.entries.get(a) ?? this.track(a);
    this.markDevice(a, e);
    return e.id;
  }

  /** A result of `length` values that a kernel about to be posted writes on the device, and its id. */
  output(length: number): { array: Float32Array; id: number } {
    const list = this.kept.get(length);
    const reused = list?.pop();
    if (reused) {
      this.keptBytes -= 4 * length;
      const e = this.entries.get(reused) as Entry;
      this.markDevice(reused, e);
      return { array: reused, id: e.id };
    }
    this.flushDropped();
    const array = new Float32Array(length);
    const e = this.track(array);
    this.markDevice(array, e);
    return { array, id: e.id };
  }

  /** Brings `a`'s values to the host when the device has them (one readback). */
  sync(a: Float32Array): void {
    const e = this.entries.get(a);
    if (!e || e.state === HOST) return;
    this.link.read(e.id, a);
    this.reads++;
    e.state = HOST;
    this.onDevice.delete(e.id);
  }

  /** Whether `a`'s current values are on the device. */
  isOnDevice(a: Float32Array): boolean {
    return this.entries.get(a)?.state === DEVICE;
  }

  /** The engine will not use `a` again: a tracked array is kept (with its device buffer) for a later result; others go to the js pool. */
  release(a: Float32Array): void {
    const e = this.entries.get(a);
    if (!e) {
      releaseHost(a);
      return;
    }
    const n = a.length;
    let list = this.kept.get(n);
    if (!list) this.kept.set(n, (list = []));
    if (list.length >= PER_LENGTH || this.keptBytes + 4 * n > MAX_KEPT_BYTES || list.includes(a)) return;
    // Dead values: nothing to read back on drain(); output() marks it again when it is reused.
    e.state = HOST;
    this.onDevice.delete(e.id);
    list.push(a);
    this.keptBytes += 4 * n;
  }

  /** Reads every array whose values are on the device back to the host (before another backend takes over). */
  drain(): void {
    for (const ref of [...this.onDevice.values()]) {
      const a = ref.deref();
      if (a) this.sync(a);
    }
    this.onDevice.clear();
  }

  /** Arrays tracked in the device state now (tests). */
  get deviceArrays(): number {
    return this.onDevice.size;
  }

  private track(a: Float32Array): Entry {
    const e = { id: this.nextId++, state: HOST };
    this.entries.set(a, e);
    this.finalizer.register(a, e.id);
    return e;
  }

  private markDevice(a: Float32Array, e: Entry): void {
    if (e.state === DEVICE) return;
    e.state = DEVICE;
    this.onDevice.set(e.id, new WeakRef(a));
  }

  /** Frees, in one message, the buffers of arrays the collector has taken. */
  private flushDropped(): void {
    if (!this.dropped.length) return;
    const ids = this.dropped.splice(0);
    for (const id of ids) this.onDevice.delete(id);
    this.link.free(ids);
  }
}
