/**
 * Recycled result arrays for the js kernels (and the wasm paths they call).
 *
 * The engine hands back (K.release) the arrays of storages it has proven dead
 * (src/tensor/lifetime.ts): a training step's activations once it is done, a
 * gradient that the backward rule consuming it has finished with, a scratch
 * result inside one op. `take(n)` then reuses one of the same length instead of allocating: V8
 * allocates typed arrays over 64 bytes outside its heap (about 200 ns plus
 * the collector's work at 40 floats, 15-20 us at 65536), and a training step
 * allocates the same lengths every time.
 *
 * Arrays from take() hold stale values: callers write every element.
 * Only whole, unshared, non-shared-memory arrays over 16 floats are kept (smaller
 * ones live on V8's heap and cost about as much as a lookup), at most
 * PER_LENGTH per length (a training step's activations of one shape)
 * and MAX_BYTES in all.
 */
const MIN_LENGTH = 17;
const PER_LENGTH = 16;
const MAX_BYTES = 32 * 1024 * 1024;

const free = new Map<number, Float32Array[]>();
let bytes = 0;
/** Arrays of MIN_LENGTH floats or more that take() had to allocate (none to reuse): a steady state adds none. */
let allocated = 0;

/** A Float32Array of length n: a recycled one when there is one (stale contents), else a fresh one. */
export function take(n: number): Float32Array {
  if (n >= MIN_LENGTH) {
    const list = free.get(n);
    if (list !== undefined && list.length > 0) {
      bytes -= 4 * n;
      return list.pop() as Float32Array;
    }
  }
  if (n >= MIN_LENGTH) allocated++;
  return new Float32Array(n);
}

/** Keeps `buf` for a later take(buf.length); the caller guarantees nothing reads or writes it any more. */
export function release(buf: Float32Array): void {
  const n = buf.length;
  if (
    n < MIN_LENGTH ||
    buf.byteOffset !== 0 ||
    buf.buffer.byteLength !== buf.byteLength ||
    !(buf.buffer instanceof ArrayBuffer) ||
    bytes + 4 * n > MAX_BYTES
  )
    return;
  let list = free.get(n);
  if (list === undefined) free.set(n, (list = []));
  if (list.length >= PER_LENGTH || list.includes(buf)) return;
  list.push(buf);
  bytes += 4 * n;
}

/** Drops every kept array (tests; or to give the memory back). */
export function clearPool(): void {
  free.clear();
  bytes = 0;
}

/** Arrays and bytes kept now, and how many arrays take() has allocated so far. */
export function poolStats(): { arrays: number; bytes: number; allocated: number } {
  let arrays = 0;
  for (const l of free.values()) arrays += l.length;
  return { arrays, bytes, allocated };
}
