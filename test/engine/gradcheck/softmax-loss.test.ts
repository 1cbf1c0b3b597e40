/** Gradients of softmax, logSoftmax, mseLoss and crossEntropy against float64 finite differences. */
import { describe, expect, it } from 'vitest';
import { F } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import { crossEntropyRef, logSoftmaxRef, mseRef, normalValues, softmaxRef } from '../../helpers/reference';

const shape = [3, 4];
const x = { values: normalValues(12, 70, 0, 2), shape };

describe('gradcheck: softmax / logSoftmax', () => {
  for (const dim of [0, 1, -1]) {
    it(`softmax over dim ${dim}`, () => {
      gradcheck({
        name: `softmax ${dim}`,
        inputs: [x],
        outShape: shape,
        rxnn: ([a]) => a.softmax(dim),
        ref: ([a]) => softmaxRef(a, shape, dim),
      });
    });
    it(`logSoftmax over dim ${dim}`, () => {
      gradcheck({
        name: `logSoftmax ${dim}`,
        inputs: [x],
        outShape: shape,
        rxnn: ([a]) => a.logSoftmax(dim),
        ref: ([a]) => logSoftmaxRef(a, shape, dim),
      });
    });
  }
  it('F.softmax / F.logSoftmax over the middle dim of a 3-D tensor', () => {
    const s3 = [2, 3, 2];
    const y = { values: normalValues(12, 71), shape: s3 };
    gradcheck({
      name: 'F.softmax 3-D',
      inputs: [y],
      outShape: s3,
      rxnn: ([a]) => F.softmax(a, 1),
      ref: ([a]) => softmaxRef(a, s3, 1),
    });
    gradcheck({
      name: 'F.logSoftmax 3-D',
      inputs: [y],
      outShape: s3,
      rxnn: ([a]) => F.logSoftmax(a, 1),
      ref: ([a]) => logSoftmaxRef(a, s3, 1),
    });
  });
  it('large logits (the max shift keeps exp finite; gradient unchanged by it)', () => {
    const big = { values: [100, 101, 99, 98.5, -50, -51, -49, -52], shape: [2, 4] };
    gradcheck({
      name: 'softmax big',
      inputs: [big],
      outShape: [2, 4],
      rxnn: ([a]) => a.softmax(1),
      ref: ([a]) => softmaxRef(a, [2, 4], 1),
    });
    gradcheck({
      name: 'logSoftmax big',
      inputs: [big],
      outShape: [2, 4],
      rxnn: ([a]) => a.logSoftmax(1),
      ref: ([a]) => logSoftmaxRef(a, [2, 4], 1),
    });
  });
  it('softmax of a 1-D tensor', () => {
    gradcheck({
      name: 'softmax 1-D',
      inputs: [{ values: normalValues(5, 72), shape: [5] }],
      outShape: [5],
      rxnn: ([a]) => a.softmax(0),
      ref: ([a]) => softmaxRef(a, [5], 0),
    });
  });
});

describe('gradcheck: mseLoss', () => {
  const t = { values: normalValues(12, 73), shape };
  it('gradients for input and target', () => {
    const r = gradcheck({
      name: 'mse',
      inputs: [x, t],
      outShape: [],
      rxnn: ([a, b]) => F.mseLoss(a, b),
      ref: ([a, b]) => mseRef(a, b),
    });
    // d/dtarget = -d/dinput
    r.analytic[0]!.forEach((g, i) => expect(r.analytic[1]![i]).toBe(-g));
  });
  it('a constant target, [N, 1] shapes, and a 0-d pair', () => {
    gradcheck({
      name: 'mse const target',
      inputs: [x, { ...t, requiresGrad: false }],
      outShape: [],
      rxnn: ([a, b]) => F.mseLoss(a, b),
      ref: ([a, b]) => mseRef(a, b),
    });
    const col = { values: normalValues(5, 74), shape: [5, 1] },
      tc = { values: normalValues(5, 75), shape: [5, 1] };
    gradcheck({
      name: 'mse [N,1]',
      inputs: [col, tc],
      outShape: [],
      rxnn: ([a, b]) => F.mseLoss(a, b),
      ref: ([a, b]) => mseRef(a, b),
    });
    gradcheck({
      name: 'mse 0-d',
      inputs: [
        { values: [1.5], shape: [] },
        { values: [-0.25], shape: [] },
      ],
      outShape: [],
      rxnn: ([a, b]) => F.mseLoss(a, b),
      ref: ([a, b]) => mseRef(a, b),
    });
  });
});

describe('gradcheck: crossEntropy', () => {
  const targets = [2, 0, 3];
  it('class-index targets of shape [N]', () => {
    const r = gradcheck({
      name: 'ce [N]',
      inputs: [x, { values: targets, shape: [3], requiresGrad: false }],
      outShape: [],
      rxnn: ([a, b]) => F.crossEntropy(a, b),
      ref: ([a, b]) => crossEntropyRef(a, 3, 4, b),
    });
    expect(r.out.gradFn!.name).toBe('NllLossBackward0');
  });
  it('class-index targets of shape [N, 1]', () => {
    gradcheck({
      name: 'ce [N,1]',
      inputs: [x, { values: targets, shape: [3, 1], requiresGrad: false }],
      outShape: [],
      rxnn: ([a, b]) => F.crossEntropy(a, b),
      ref: ([a, b]) => crossEntropyRef(a, 3, 4, b),
    });
  });
  it('repeated classes and large logits', () => {
    const big = { values: normalValues(12, 76, 0, 30), shape };
    gradcheck({
      name: 'ce big',
      inputs: [big, { values: [1, 1, 1], shape: [3], requiresGrad: false }],
      outShape: [],
      rxnn: ([a, b]) => F.crossEntropy(a, b),
      ref: ([a, b]) => crossEntropyRef(a, 3, 4, b),
    });
  });
});
