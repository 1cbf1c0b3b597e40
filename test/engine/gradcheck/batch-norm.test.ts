/** Gradients of F.batchNorm (training and eval) against float64 finite differences. */
import { describe, expect, it } from 'vitest';
import { F, tensor } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import {
  batchNormTrainRef,
  batchStatsRef,
  normalizeRef,
  normalValues,
  sizeOf,
  uniformValues,
} from '../../helpers/reference';

const affine = (c: number) => ({
  weight: { values: uniformValues(c, 80, 0.5, 2), shape: [c] },
  bias: { values: normalValues(c, 81), shape: [c] },
});

describe('gradcheck: F.batchNorm, training (batch statistics)', () => {
  for (const shape of [
    [6, 3],
    [4, 3, 5],
    [3, 2, 3, 3],
  ]) {
    const c = shape[1];
    const x = { values: normalValues(sizeOf(shape), 82, 0.5, 2), shape };
    const { weight, bias } = affine(c);
    it(`[${shape}] with weight and bias`, () => {
      gradcheck({
        name: `bn train ${shape}`,
        inputs: [x, weight, bias],
        outShape: shape,
        rxnn: ([a, w, b]) => F.batchNorm(a, null, null, w, b, true),
        ref: ([a, w, b]) => batchNormTrainRef(a, shape, w, b),
      });
    });
    it(`[${shape}] without weight and bias`, () => {
      gradcheck({
        name: `bn train ${shape} no affine`,
        inputs: [x],
        outShape: shape,
        rxnn: ([a]) => F.batchNorm(a, null, null, null, null, true),
        ref: ([a]) => batchNormTrainRef(a, shape, null, null),
      });
    });
  }
  it('[6, 3] with weight only, and with bias only', () => {
    const shape = [6, 3];
    const x = { values: normalValues(18, 83), shape };
    const { weight, bias } = affine(3);
    gradcheck({
      name: 'bn weight only',
      inputs: [x, weight],
      rxnn: ([a, w]) => F.batchNorm(a, null, null, w, null, true),
      ref: ([a, w]) => batchNormTrainRef(a, shape, w, null),
    });
    gradcheck({
      name: 'bn bias only',
      inputs: [x, bias],
      rxnn: ([a, b]) => F.batchNorm(a, null, null, null, b, true),
      ref: ([a, b]) => batchNormTrainRef(a, shape, null, b),
    });
  });
  it('with running stats given (updated in place, momentum 0.1, unbiased variance); a frozen input still gets affine grads', () => {
    const shape = [5, 2];
    const rm = tensor([0.5, -0.5]),
      rv = tensor([2, 3]);
    const x = { values: normalValues(10, 84), shape };
    const { weight, bias } = affine(2);
    const r = gradcheck({
      name: 'bn running',
      inputs: [{ ...x, requiresGrad: false }, weight, bias],
      rxnn: ([a, w, b]) => F.batchNorm(a, rm, rv, w, b, true),
      ref: ([a, w, b]) => batchNormTrainRef(a, shape, w, b),
    });
    expect(r.analytic[0]).toBeNull();
    expect(r.out.gradFn!.name).toBe('NativeBatchNormBackward0');
    const { mean, varBiased } = batchStatsRef(Array.from(Float32Array.from(x.values)), shape);
    [0.5, -0.5].forEach((m0, ch) => expect(rm.data[ch]).toBeCloseTo(0.9 * m0 + 0.1 * mean[ch], 6));
    [2, 3].forEach((v0, ch) => expect(rv.data[ch]).toBeCloseTo(0.9 * v0 + (0.1 * varBiased[ch] * 5) / 4, 6));
  });
});

describe('gradcheck: F.batchNorm, eval (running statistics are constants)', () => {
  for (const shape of [
    [4, 3],
    [2, 3, 4],
    [2, 3, 2, 2],
  ]) {
    it(`[${shape}] with and without weight and bias`, () => {
      const c = shape[1];
      const x = { values: normalValues(sizeOf(shape), 85), shape };
      const rmv = normalValues(c, 86),
        rvv = uniformValues(c, 87, 0.3, 3);
      const rm = { values: rmv, shape: [c], requiresGrad: false },
        rv = { values: rvv, shape: [c], requiresGrad: false };
      const { weight, bias } = affine(c);
      gradcheck({
        name: `bn eval ${shape}`,
        inputs: [x, rm, rv, weight, bias],
        outShape: shape,
        rxnn: ([a, m, v, w, b]) => F.batchNorm(a, m, v, w, b, false),
        ref: ([a, m, v, w, b]) => normalizeRef(a, shape, m, v, w, b, 1e-5),
      });
      gradcheck({
        name: `bn eval ${shape} no affine`,
        inputs: [x, rm, rv],
        outShape: shape,
        rxnn: ([a, m, v]) => F.batchNorm(a, m, v, null, null, false),
        ref: ([a, m, v]) => normalizeRef(a, shape, m, v, null, null, 1e-5),
      });
    });
  }
});
