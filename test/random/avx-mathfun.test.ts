import { describe, expect, it } from 'vitest';
import { logf, sincosf } from '../../src/random/avx-mathfun';
import { ulpDistance } from './helpers';

// The port is bit-exact to PyTorch (generator.test.ts); here: it is also an accurate
// logf / sincosf, within 1 ulp of the correctly rounded value on the inputs it sees.
describe('avx_mathfun port', () => {
  it('logf is within 1 ulp of ln on the float32 uniforms 1 - u (every 97th of 2^24)', () => {
    let worst = 0;
    for (let k = 1; k <= 2 ** 24; k += 97) {
      const u = k * 2 ** -24;
      worst = Math.max(worst, ulpDistance(logf(u), Math.fround(Math.log(u))));
    }
    expect(worst).toBe(1);
    expect(logf(1)).toBe(0);
    expect(logf(0)).toBeNaN();
    expect(logf(-1)).toBeNaN();
  });

  it('sincosf is within 1 ulp of sin/cos on [0, 2 pi) away from their zeros', () => {
    const out = new Float32Array(2);
    const twoPi = Math.fround(2 * Math.PI);
    let worst = 0;
    for (let k = 0; k < 2 ** 24; k += 97) {
      const t = Math.fround(twoPi * (k * 2 ** -24));
      sincosf(t, out);
      if (Math.abs(Math.sin(t)) > 1e-3) worst = Math.max(worst, ulpDistance(out[0], Math.fround(Math.sin(t))));
      if (Math.abs(Math.cos(t)) > 1e-3) worst = Math.max(worst, ulpDistance(out[1], Math.fround(Math.cos(t))));
    }
    expect(worst).toBe(1);
    sincosf(0, out);
    expect(Array.from(out)).toEqual([0, 1]);
    sincosf(-Math.fround(Math.PI / 2), out);
    expect(out[0]).toBe(-1);
  });
});
