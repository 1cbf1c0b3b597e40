import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import { awayFromZero } from '../../helpers/reference';
import { forEachBackend } from '../../helpers/backends';

/** test/fixtures/abs.json (tools/gen_abs_fixtures.py): PyTorch 1.13's abs and its backward, as float32 bits. */
interface AbsCase {
  n: number;
  x: number[];
  g: number[];
  y: number[];
  grad: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/abs.json'), 'utf8')) as { cases: AbsCase[] };
const fromBits = (b: number[]) => new Float32Array(Int32Array.from(b).buffer);
const toBits = (f: Float32Array) => Array.from(new Int32Array(Float32Array.from(f).buffer));

forEachBackend((backend) =>
  describe(`abs (${backend})`, () => {
    it.each(fixture.cases.map((c) => [c.n, c] as const))(
      'forward and backward match PyTorch bit for bit, %i values',
      (_, c) => {
        const x = new Tensor(fromBits(c.x), [c.n], true);
        const y = x.abs();
        expect(y.gradFn?.name).toBe('AbsBackward0');
        y.backward(new Tensor(fromBits(c.g), [c.n]));
        expect(toBits(y.data)).toEqual(c.y);
        expect(toBits(x.grad!.data)).toEqual(c.grad);
      },
    );
  }),
);

describe('gradcheck: abs', () => {
  it('away from its kink at 0', () => {
    const r = gradcheck({
      name: 'abs',
      inputs: [{ values: awayFromZero(12, 31, 0.05, 2), shape: [3, 4] }],
      rxnn: ([a]) => a.abs(),
      ref: ([a]) => a.map(Math.abs),
    });
    expect(r.checked).toBeGreaterThan(0);
    // Both signs were exercised.
    expect(r.analytic[0]!.some((v) => v < 0) && r.analytic[0]!.some((v) => v > 0)).toBe(true);
  });
});
