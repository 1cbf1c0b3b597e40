/**
 * The wasm no-momentum SGD update (src/backend/wasm/sgd.ts) against the js
 * kernel's loop bit for bit, in place, with Inf/NaN/-0 among parameters and
 * gradients and odd lengths (the last float pair is padded).
 */
import { describe, expect, it } from 'vitest';
import { wasmSgdPlain } from '../../src/backend/wasm/sgd';

function data(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 12.9898 + seed) * 3));
}

describe('wasm SGD without momentum', () => {
  it.each([1, 2, 3, 1024, 1025, 4097])('matches the js loop bit for bit (%i parameters)', (n) => {
    for (const [lr, wd] of [
      [0.03, 0],
      [0.1, 0.01],
      [1e-3, 5e-4],
    ].map((v) => v.map(Math.fround))) {
      const p0 = data(n, 1),
        g = data(n, 2);
      if (n > 9) {
        p0[5] = Infinity;
        g[7] = NaN;
        p0[9] = -0;
      }
      const want = p0.slice(),
        got = p0.slice();
      for (let i = 0; i < n; i++) {
        const d = wd !== 0 ? Math.fround(g[i] + wd * want[i]) : g[i];
        want[i] = want[i] - lr * d;
      }
      wasmSgdPlain(got, g, lr, wd);
      const a = new Uint32Array(want.buffer),
        b = new Uint32Array(got.buffer);
      const bad: string[] = [];
      for (let i = 0; i < n && bad.length < 3; i++) {
        if (a[i] !== b[i] && !(Number.isNaN(want[i]) && Number.isNaN(got[i])))
          bad.push(`[${i}] ${got[i]} vs ${want[i]}`);
      }
      expect(bad, `lr ${lr} wd ${wd}`).toEqual([]);
    }
  });
});
