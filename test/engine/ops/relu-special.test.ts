import { describe, expect, it } from 'vitest';
import { ones, tensor } from '../../../src';
import { forEachBackend } from '../../helpers/backends';

/**
 * PyTorch 1.13: x = tensor([nan, -0., 0., -1., 2.] * k, requires_grad=True); y = relu(x)
 *   -> [nan, -0.0, 0.0, 0.0, 2.0]; y.backward(ones) -> x.grad = [1., 0., 0., 0., 1.]
 * (relu is clamp_min keeping NaN and -0; its backward is threshold_backward: x <= 0 ? 0 : g).
 * k = 1 runs the plain loops, k = 256 (1280 values) the WebAssembly SIMD ones.
 */
forEachBackend((backend) =>
  describe(`relu on NaN and signed zeros (${backend})`, () => {
    it.each([1, 256])('matches PyTorch bit for bit, pattern repeated %i times', (k) => {
      const pattern = [NaN, -0, 0, -1, 2];
      const x = tensor(
        Array.from({ length: 5 * k }, (_, i) => pattern[i % 5]),
        { requiresGrad: true },
      );
      const y = x.relu();
      y.backward(ones(5 * k));
      for (let i = 0; i < 5 * k; i += 5) {
        const out = Array.from(y.data.subarray(i, i + 5));
        expect(Number.isNaN(out[0])).toBe(true);
        expect(Object.is(out[1], -0)).toBe(true);
        expect(out.slice(2)).toEqual([0, 0, 2]);
        expect(Object.is(out[2], 0)).toBe(true);
        expect(Array.from(x.grad!.data.subarray(i, i + 5))).toEqual([1, 0, 0, 0, 1]);
      }
    });
  }),
);
