import { release as releaseHost } from '../js/pool';
import { releasedError, Storage } from '../storage';
import type { KernelCall } from './wgsl/runtime';

/**
 * Storages whose values live on a device (the gpu backend's webgpu mode).
 *
 * A device kernel's result is a Storage with a device buffer and no host array: weights,
 * activations and gradients stay on the device across a training step, and only what is
 * read (the loss) comes back. Each storage the device has seen carries an entry
 * (`storage.device`): its buffer id in the worker's DeviceRuntime and one of two states:
 * - device: the device holds the current values; the storage holds no host array.
 * - host:   the host array is current (it was read, or never left the host); the device's
 *           copy, if any, is out of date, and is uploaded again at the next device use,
 *           after which the host array is let go.
 * After a read the host array may be written by anyone holding it, so it is never assumed to
 * equal the device's copy: a storage in the host state is uploaded at its next device use.
 * Host storages (user data, js kernels' results) get an entry when a device kernel first
 * takes one.
 *
 * Released storages (K.release) give their device buffer to a later result of the same
 * length; storages the program drops are freed on the device once the collector has taken
 * them (FinalizationRegistry).
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

/** Released buffers kept for reuse, per length and in all. */
const PER_LENGTH = 16;
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

export class Residency {
  /** Storages in the device state, by buffer id: what drain() reads back. */
  private readonly onDevice = new Map<number, WeakRef<Storage>>();
  /** Released buffer ids, by length. */
  private readonly kept = new Map<number, number[]>();
  private keptBytes = 0;
  /** Bytes of every live buffer (created and not yet freed), by id: deviceBytes. */
  private readonly sizes = new Map<number, number>();
  /** Ids from 2: the bridge keeps buffer 1 for its fence (webgpu.ts). */
  private nextId = 2;
  private readonly dropped: number[] = [];
  private readonly finalizer = new FinalizationRegistry<number>((id) => this.dropped.push(id));
  /** Readbacks (reads of a storage in the device state) and uploads so far: a training step's counts are tested. */
  reads = 0;
  uploads = 0;
  /** Host arrays this residency allocated to read device values into: one per readback, none otherwise. */
  hostArrays = 0;

  constructor(private readonly link: DeviceLink) {}

  /**
   * The device id holding `s`'s current values, uploading them (and letting the host array go)
   * when the host has them. The device's values are then the current ones, so an in-place kernel
   * takes its operands from here too.
   */
  input(s: Storage): number {
    const e = (s.device as Entry | null) ?? this.track(s);
    if (e.state === HOST) {
      this.link.upload(e.id, s.host as Float32Array);
      this.uploads++;
      this.markDevice(s, e);
    }
    return e.id;
  }

  /** For a kernel that overwrites all of `s` (fill): its id, without uploading what it held. */
  target(s: Storage): number {
    const e = (s.device as Entry | null) ?? this.track(s);
    this.markDevice(s, e);
    return e.id;
  }

  /** A result of `length` values that a kernel about to be posted writes on the device, and its id. */
  output(length: number): { storage: Storage; id: number } {
    const list = this.kept.get(length);
    let id = list?.pop();
    if (id !== undefined) this.keptBytes -= 4 * length;
    else {
      this.flushDropped();
      id = this.newId(length);
    }
    const storage = new Storage(length, null);
    const e: Entry = { id, state: DEVICE };
    storage.device = e;
    this.finalizer.register(storage, id, storage);
    this.onDevice.set(id, new WeakRef(storage));
    return { storage, id };
  }

  /** `s`'s values on the host: one readback into a new host array when the device has them. */
  read(s: Storage): Float32Array {
    if (s.released) throw releasedError();
    const e = s.device as Entry | null;
    if (e && e.state === DEVICE) {
      const host = new Float32Array(s.length);
      this.hostArrays++;
      this.link.read(e.id, host);
      this.reads++;
      s.host = host;
      e.state = HOST;
      this.onDevice.delete(e.id);
    }
    return s.host as Float32Array;
  }

  /** Whether `s`'s current values are on the device. */
  isOnDevice(s: Storage): boolean {
    return (s.device as Entry | null)?.state === DEVICE;
  }

  /**
   * The engine will not use `s` again: its device buffer is kept for a later result of its
   * length (or freed), a host array goes to the js pool, and `s` is retired (a later use throws).
   */
  release(s: Storage): void {
    if (s.released) return;
    const e = s.device as Entry | null;
    const host = s.host;
    s.released = true;
    s.host = null;
    s.device = null;
    if (!e) {
      if (host) releaseHost(host);
      return;
    }
    this.finalizer.unregister(s);
    this.onDevice.delete(e.id);
    const n = s.length;
    let list = this.kept.get(n);
    if (!list) this.kept.set(n, (list = []));
    if (list.length >= PER_LENGTH || this.keptBytes + 4 * n > MAX_KEPT_BYTES) {
      this.sizes.delete(e.id);
      this.link.free([e.id]);
      return;
    }
    list.push(e.id);
    this.keptBytes += 4 * n;
  }

  /** Reads every storage whose values are on the device back to the host (before another backend takes over). */
  drain(): void {
    for (const ref of [...this.onDevice.values()]) {
      const s = ref.deref();
      if (s) this.read(s);
    }
    this.onDevice.clear();
  }

  /** Storages in the device state now (tests). */
  get deviceArrays(): number {
    return this.onDevice.size;
  }

  /** Bytes of the device buffers this residency has created and not freed (kept ones included). */
  get deviceBytes(): number {
    let bytes = 0;
    for (const b of this.sizes.values()) bytes += b;
    return bytes;
  }

  private newId(length: number): number {
    const id = this.nextId++;
    this.sizes.set(id, 4 * length);
    return id;
  }

  private track(s: Storage): Entry {
    if (s.released) throw releasedError();
    const e: Entry = { id: this.newId(s.length), state: HOST };
    s.device = e;
    this.finalizer.register(s, e.id, s);
    return e;
  }

  /** The device now holds the current values: the host array is let go. */
  private markDevice(s: Storage, e: Entry): void {
    s.host = null;
    if (e.state === DEVICE) return;
    e.state = DEVICE;
    this.onDevice.set(e.id, new WeakRef(s));
  }

  /** Frees, in one message, the buffers of storages the collector has taken. */
  private flushDropped(): void {
    if (!this.dropped.length) return;
    const ids = this.dropped.splice(0);
    for (const id of ids) {
      this.onDevice.delete(id);
      this.sizes.delete(id);
    }
    this.link.free(ids);
  }
}
