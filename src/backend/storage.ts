/**
 * A tensor's values as the backend holds them: an opaque handle, TensorFlow.js's DataId.
 *
 * The engine never indexes a Storage. It passes storages to kernels, reads them with `K.read`
 * (which may copy from a device), and hands dead ones back with `K.release`; which storages are
 * dead is decided in one place, `src/tensor/lifetime.ts`, from the reference counts kept here.
 * A backend keeps its bytes behind the handle: the js backend a Float32Array (`host`), the gpu
 * backend's webgpu mode a buffer on the device (`device`) and no host array until the values
 * are read.
 */
const STORAGE = Symbol.for('rxnn.storage');

export class Storage {
  /**
   * A storage of any copy of rxnn loaded in this process (a pipeline may come with its own copy):
   * the check is by a registered symbol, not by this class's identity.
   */
  static [Symbol.hasInstance](v: unknown): v is Storage {
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[STORAGE] === true;
  }

  /**
   * The values on the host, or null while only a device holds them (and after release).
   * Backends only: the engine reads through K.read.
   * @internal
   */
  host: Float32Array | null;
  /**
   * The device's record of these values (the webgpu mode's buffer and state), or null. Backends only.
   * @internal
   */
  device: object | null = null;
  /**
   * Tensors over this storage that have not been disposed (src/tensor/lifetime.ts).
   * @internal
   */
  refs = 0;
  /**
   * Set when the storage went back to its backend: its values are gone, and a kernel given it throws.
   * @internal
   */
  released = false;

  /** @internal */
  constructor(
    /** Number of float32 values. */
    readonly length: number,
    host: Float32Array | null,
  ) {
    this.host = host;
  }
}

(Storage.prototype as unknown as Record<symbol, boolean>)[STORAGE] = true;

/** A storage over host values `values` (not copied: the storage owns the array from now on). */
export function fromHost(values: Float32Array): Storage {
  return new Storage(values.length, values);
}

/** A one-value storage: a kernel's scalar operand. */
export function scalarStorage(value: number): Storage {
  return new Storage(1, Float32Array.of(value));
}

/** The error for a storage used after it went back to its backend. */
export function releasedError(): Error {
  return new Error(
    'a tensor was used after its values were freed: it was disposed, or it belonged to the autograd graph of a ' +
      'training step (or tidy scope) that has ended. Keep such a tensor with keep(t), or t.detach() inside the step.',
  );
}

/**
 * The host array of a storage that a host backend computes on: its values must be on the host
 * (a device backend brings them back before it calls a host kernel).
 */
export function hostValues(s: Storage): Float32Array {
  const h = s.host;
  if (h !== null) return h;
  if (s.released) throw releasedError();
  throw new Error('a storage held on a device reached a host kernel without being read first');
}
