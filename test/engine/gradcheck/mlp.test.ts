/**
 * A composite: nn.MLP({ bn: 'pre' }) (linear1 -> BatchNorm1d in training mode ->
 * relu -> linear2) and an MSE loss. Every parameter's gradient, and the input's,
 * is compared against central differences of the float64 reference MLP.
 */
import { describe, expect, it } from 'vitest';
import { F, manualSeed, nn } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import {
  linearRef,
  mlpPreActivationRef,
  mlpRef,
  MlpParams,
  mseRef,
  normalizeRef,
  normalValues,
  uniformValues,
} from '../../helpers/reference';

const N = 8,
  IN = 3,
  HIDDEN = 5,
  OUT = 2;

function params(xs: number[][]): MlpParams {
  // Inputs are [x, target, linear1.weight, linear1.bias, normalize1.weight, normalize1.bias, linear2.weight, linear2.bias].
  const [, , w1, b1, g, beta, w2, b2] = xs;
  return { w1, b1, g, beta, w2, b2 };
}

describe('gradcheck: nn.MLP with BatchNorm before the activation, plus MSE', () => {
  it('parameter and input gradients match the float64 reference MLP', () => {
    manualSeed(0);
    const model = new nn.MLP({ inFeatures: IN, hidden: [HIDDEN], outFeatures: OUT, bn: 'pre' });
    const named = model.namedParameters();
    expect(named.map(([k]) => k)).toEqual([
      'linear1.weight',
      'linear1.bias',
      'normalize1.weight',
      'normalize1.bias',
      'linear2.weight',
      'linear2.bias',
    ]);
    // Non-trivial batch-norm affine parameters (the defaults 1 and 0 would hide a swapped weight/bias gradient).
    named[2][1].data.set(uniformValues(HIDDEN, 90, 0.5, 1.5));
    named[3][1].data.set(normalValues(HIDDEN, 91, 0, 0.5));
    const x = normalValues(N * IN, 92);
    const target = normalValues(N * OUT, 93);

    // Premise: every hidden pre-activation is well away from relu's kink at 0.
    const xs0 = [x, target, ...named.map(([, p]) => Array.from(p.data))];
    const pre = mlpPreActivationRef(Array.from(Float32Array.from(x)), N, IN, HIDDEN, params(xs0));
    expect(Math.min(...pre.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(pre.some((v) => v < 0) && pre.some((v) => v > 0)).toBe(true);

    const r = gradcheck({
      name: 'mlp bn=pre + mse',
      inputs: [
        { values: x, shape: [N, IN] },
        { values: target, shape: [N, OUT], requiresGrad: false },
        ...named.map(([, p]) => ({ tensor: p })),
      ],
      rxnn: ([xt, tt]) => F.mseLoss(model.forward(xt), tt),
      ref: (xs) => mseRef(mlpRef(xs[0], N, IN, HIDDEN, OUT, params(xs)), xs[1]),
      outShape: [],
    });
    expect(r.checked).toBe(N * IN + IN * HIDDEN + HIDDEN * 3 + HIDDEN * OUT + OUT);
    // Batch norm cancels linear1's bias: its gradient is zero (up to float32 rounding).
    r.analytic[3]!.forEach((gv) => expect(Math.abs(gv)).toBeLessThan(1e-6));
    // The module's parameters now hold their gradients, shaped like the parameters.
    for (const [, p] of named) expect(p.grad!.shape).toEqual(p.shape);
    // The training-mode forward updated the running statistics once.
    expect(model.stateDict()['normalize1.num_batches_tracked']).toBe(1);
  });

  it('the same model in eval mode (running statistics as constants) is checked the same way', () => {
    manualSeed(1);
    const model = new nn.MLP({ inFeatures: IN, hidden: [HIDDEN], outFeatures: OUT, bn: 'pre' });
    const bn = model.children()[1] as nn.BatchNorm1d;
    bn.runningMean!.data.set(normalValues(HIDDEN, 94, 0, 0.2));
    bn.runningVar!.data.set(uniformValues(HIDDEN, 95, 0.05, 0.5));
    model.eval();
    const named = model.namedParameters();
    const x = normalValues(N * IN, 96);
    const rm = Array.from(bn.runningMean!.data),
      rv = Array.from(bn.runningVar!.data);
    const pre = (xs: number[][]) => {
      const p = params([xs[0], [], ...xs.slice(1)]);
      return normalizeRef(linearRef(xs[0], p.w1, p.b1, N, IN, HIDDEN), [N, HIDDEN], rm, rv, p.g, p.beta, 1e-5);
    };
    const evalRef = (xs: number[][]) => {
      const p = params([xs[0], [], ...xs.slice(1)]);
      return linearRef(
        pre(xs).map((v) => Math.max(v, 0)),
        p.w2,
        p.b2,
        N,
        HIDDEN,
        OUT,
      );
    };
    const z = pre([Array.from(Float32Array.from(x)), ...named.map(([, p]) => Array.from(p.data))]);
    expect(Math.min(...z.map(Math.abs))).toBeGreaterThan(1e-3);
    gradcheck({
      name: 'mlp eval',
      inputs: [{ values: x, shape: [N, IN] }, ...named.map(([, p]) => ({ tensor: p }))],
      rxnn: ([xt]) => model.forward(xt),
      ref: evalRef,
      outShape: [N, OUT],
    });
    // Eval mode leaves the running statistics alone.
    expect(Array.from(bn.runningMean!.data)).toEqual(rm);
    expect(Array.from(bn.runningVar!.data)).toEqual(rv);
  });
});
