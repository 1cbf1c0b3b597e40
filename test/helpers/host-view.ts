/**
 * The kernel table K seen over host arrays, as the kernel specs write them: each Float32Array
 * argument becomes a storage (the same storage for the same array), each storage result is read
 * back to the host (K.read), and arguments an in-place kernel wrote are copied back into the
 * caller's array. `release(a)` releases the storage a result array came from (or a fresh
 * storage over an array no kernel returned), so the spec can hand results back as the engine does.
 */
import { K } from '../../src/backend/registry';
import type { HostKernels, Kernels } from '../../src/backend/kernels';
import { fromHost, Storage } from '../../src/backend/storage';

export function hostView(k: Kernels = K): HostKernels & { storageOf(a: Float32Array): Storage | undefined } {
  const origin = new WeakMap<Float32Array, Storage>();
  const toHost = (r: unknown): unknown => {
    if (r instanceof Storage) {
      const a = k.read(r);
      origin.set(a, r);
      return a;
    }
    if (r && typeof r === 'object' && !Array.isArray(r)) {
      const o: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(r)) o[key] = toHost(v);
      return o;
    }
    return r;
  };
  return new Proxy({} as HostKernels & { storageOf(a: Float32Array): Storage | undefined }, {
    get(_, prop: string) {
      if (prop === 'storageOf') return (a: Float32Array) => origin.get(a);
      if (prop === 'release') return (a: Float32Array) => k.release(origin.get(a) ?? fromHost(a));
      const f = (k as unknown as Record<string, (...a: unknown[]) => unknown>)[prop];
      if (typeof f !== 'function') return f;
      return (...args: unknown[]) => {
        const made = new Map<Float32Array, Storage>();
        const storageFor = (a: Float32Array) => {
          let s = made.get(a);
          if (!s) made.set(a, (s = origin.get(a) && !origin.get(a)!.released ? origin.get(a)! : fromHost(a)));
          return s;
        };
        const conv = args.map((a) => (a instanceof Float32Array ? storageFor(a) : a));
        const r = f(...conv);
        // In-place kernels write their arguments: the caller's arrays see the values.
        for (const [a, s] of made) {
          const now = k.read(s);
          if (now !== a) a.set(now);
        }
        return toHost(r);
      };
    },
  });
}
