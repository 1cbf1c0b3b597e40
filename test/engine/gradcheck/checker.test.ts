/** The gradient checker itself: it must pass a correct op and catch wrong forwards and wrong gradients. */
import { describe, expect, it } from 'vitest';
import { nn, Tensor } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import { normalValues } from '../../helpers/reference';

const x = { values: normalValues(6, 1), shape: [2, 3] };

describe('gradcheck (the checker)', () => {
  it('passes a correct op and reports analytic and numeric gradients side by side', () => {
    const r = gradcheck({ name: 'square', inputs: [x], rxnn: ([a]) => a.mul(a), ref: ([a]) => a.map((v) => v * v) });
    expect(r.checked).toBe(6);
    expect(r.out.shape).toEqual([2, 3]);
    // d(sum w x^2)/dx = 2 w x, so analytic/numeric is the same ratio for every element.
    r.analytic[0]!.forEach((a, j) => expect(a).toBeCloseTo(r.numeric[0]![j], 5));
  });

  it('catches a wrong gradient, naming the check, input, flat index, analytic and numeric values', () => {
    // x * detach(x) has the forward of x^2 but half its gradient.
    expect(() =>
      gradcheck({
        name: 'half-square',
        inputs: [x],
        rxnn: ([a]) => a.mul(a.detach()),
        ref: ([a]) => a.map((v) => v * v),
      }),
    ).toThrow(
      /gradcheck 'half-square': 6 of 6 gradient elements out of tolerance .*worst at input 0 \(shape \[2, 3\]\) flat index \d \[\d, \d\]: analytic -?[\d.e-]+, numeric -?[\d.e-]+/,
    );
  });

  it('catches a wrong forward value, naming the worst element', () => {
    expect(() =>
      gradcheck({
        name: 'off',
        inputs: [x],
        rxnn: ([a]) => a.mul(2),
        ref: ([a]) => a.map((v, i) => (i === 4 ? 2 * v + 0.01 : 2 * v)),
      }),
    ).toThrow(/gradcheck 'off' forward: 1 of 6 values out of tolerance.*flat index 4 \[1, 1\]/);
  });

  it('catches a wrong output shape', () => {
    expect(() =>
      gradcheck({
        name: 'shape',
        inputs: [x],
        rxnn: ([a]) => a.sum(1),
        ref: ([a]) => [a[0] + a[1] + a[2], a[3] + a[4] + a[5]],
        outShape: [2, 1],
      }),
    ).toThrow("gradcheck 'shape': output shape [2], expected [2, 1]");
  });

  it('catches an output that recorded no graph', () => {
    expect(() =>
      gradcheck({
        name: 'detached',
        inputs: [x],
        rxnn: ([a]) => a.detach().mul(2),
        ref: ([a]) => a.map((v) => 2 * v),
      }),
    ).toThrow("gradcheck 'detached': output does not require grad (no graph recorded)");
  });

  it('treats a missing .grad as zero, and inputs with requiresGrad false get no numeric gradient', () => {
    const r = gradcheck({
      name: 'unused',
      inputs: [x, { ...x, requiresGrad: true }, { ...x, requiresGrad: false }],
      rxnn: ([a, , c]) => a.add(c),
      ref: ([a, , c]) => a.map((v, i) => v + c[i]),
    });
    expect(r.analytic[1]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(r.numeric[1]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(r.analytic[2]).toBeNull();
    expect(r.checked).toBe(12);
  });

  it('accepts existing leaves (module parameters) and clears their .grad first', () => {
    const lin = new nn.Linear(3, 2);
    lin.weight.grad = new Tensor(new Float32Array(6).fill(100), [2, 3]);
    const w = Array.from(lin.weight.data),
      b = Array.from(lin.bias!.data);
    const r = gradcheck({
      name: 'linear-params',
      inputs: [x, { tensor: lin.weight }, { tensor: lin.bias! }],
      rxnn: ([a]) => lin.forward(a),
      ref: ([a, ww, bb]) =>
        [0, 1].flatMap((i) =>
          [0, 1].map((o) => bb[o] + [0, 1, 2].reduce((s, p) => s + a[i * 3 + p] * ww[o * 3 + p], 0)),
        ),
    });
    expect(r.checked).toBe(6 + 6 + 2);
    expect(Array.from(lin.weight.data)).toEqual(w);
    expect(Array.from(lin.bias!.data)).toEqual(b);
    expect(lin.weight.grad.data.every((v) => Math.abs(v) < 10)).toBe(true);
  });
});
