/** Gradients of matmul and F.linear against float64 finite differences. */
import { describe, expect, it } from 'vitest';
import { F } from '../../../src';
import { gradcheck } from '../../helpers/gradcheck';
import { linearRef, matmulRef, normalValues } from '../../helpers/reference';

const v = (n: number, seed: number, shape: number[]) => ({ values: normalValues(n, seed), shape });

describe('gradcheck: matmul', () => {
  it('2-D @ 2-D: [3, 4] @ [4, 5]', () => {
    gradcheck({
      name: 'mm',
      inputs: [v(12, 50, [3, 4]), v(20, 51, [4, 5])],
      outShape: [3, 5],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 3, 4, 5),
    });
  });
  it('1-D @ 2-D: [4] @ [4, 5] -> [5]', () => {
    gradcheck({
      name: 'vm',
      inputs: [v(4, 52, [4]), v(20, 53, [4, 5])],
      outShape: [5],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 1, 4, 5),
    });
  });
  it('2-D @ 1-D: [3, 4] @ [4] -> [3]', () => {
    gradcheck({
      name: 'mv',
      inputs: [v(12, 54, [3, 4]), v(4, 55, [4])],
      outShape: [3],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 3, 4, 1),
    });
  });
  it('1-D @ 1-D: a dot product -> 0-d', () => {
    gradcheck({
      name: 'dot',
      inputs: [v(4, 56, [4]), v(4, 57, [4])],
      outShape: [],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 1, 4, 1),
    });
  });
  it('x^T x and x x^T (one leaf on both sides)', () => {
    const x = v(6, 58, [3, 2]);
    gradcheck({
      name: 'xTx',
      inputs: [x],
      outShape: [2, 2],
      rxnn: ([a]) => a.T.matmul(a),
      ref: ([a]) => matmulRef([a[0], a[2], a[4], a[1], a[3], a[5]], a, 2, 3, 2),
    });
    gradcheck({
      name: 'xxT',
      inputs: [x],
      outShape: [3, 3],
      rxnn: ([a]) => a.matmul(a.T),
      ref: ([a]) => matmulRef(a, [a[0], a[2], a[4], a[1], a[3], a[5]], 3, 2, 3),
    });
  });
  it('a product large enough for the blocked (wasm) kernel: [12, 16] @ [16, 10], and its transposed-operand backward', () => {
    gradcheck({
      name: 'mm large',
      inputs: [v(192, 59, [12, 16]), v(160, 65, [16, 10])],
      outShape: [12, 10],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 12, 16, 10),
    });
    gradcheck({
      name: 'linear large',
      inputs: [v(192, 66, [12, 16]), v(160, 67, [10, 16]), v(10, 68, [10])],
      outShape: [12, 10],
      rxnn: ([a, w, b]) => F.linear(a, w, b),
      ref: ([a, w, b]) => linearRef(a, w, b, 12, 16, 10),
    });
  });
  it('only one operand requires grad', () => {
    const r = gradcheck({
      name: 'mm const',
      inputs: [v(12, 50, [3, 4]), { ...v(20, 51, [4, 5]), requiresGrad: false }],
      outShape: [3, 5],
      rxnn: ([a, b]) => a.matmul(b),
      ref: ([a, b]) => matmulRef(a, b, 3, 4, 5),
    });
    expect(r.analytic[1]).toBeNull();
  });
});

describe('gradcheck: F.linear', () => {
  const x = v(12, 60, [4, 3]),
    w = v(6, 61, [2, 3]),
    b = v(2, 62, [2]);
  it('[4, 3] input, weight [2, 3], with bias', () => {
    const r = gradcheck({
      name: 'linear',
      inputs: [x, w, b],
      outShape: [4, 2],
      rxnn: ([p, q, s]) => F.linear(p, q, s),
      ref: ([p, q, s]) => linearRef(p, q, s, 4, 3, 2),
    });
    expect(r.out.gradFn!.name).toBe('AddmmBackward0');
  });
  it('without bias', () => {
    gradcheck({
      name: 'linear no bias',
      inputs: [x, w],
      outShape: [4, 2],
      rxnn: ([p, q]) => F.linear(p, q),
      ref: ([p, q]) => linearRef(p, q, null, 4, 3, 2),
    });
  });
  it('1-D input [3] -> [2], with and without bias', () => {
    const x1 = v(3, 63, [3]);
    gradcheck({
      name: 'linear 1-D',
      inputs: [x1, w, b],
      outShape: [2],
      rxnn: ([p, q, s]) => F.linear(p, q, s),
      ref: ([p, q, s]) => linearRef(p, q, s, 1, 3, 2),
    });
    gradcheck({
      name: 'linear 1-D no bias',
      inputs: [x1, w],
      outShape: [2],
      rxnn: ([p, q]) => F.linear(p, q),
      ref: ([p, q]) => linearRef(p, q, null, 1, 3, 2),
    });
  });
  it('only the weight requires grad (a frozen input and bias)', () => {
    gradcheck({
      name: 'linear weight only',
      inputs: [{ ...x, requiresGrad: false }, w, { ...b, requiresGrad: false }],
      outShape: [4, 2],
      rxnn: ([p, q, s]) => F.linear(p, q, s),
      ref: ([p, q, s]) => linearRef(p, q, s, 4, 3, 2),
    });
  });
  it('two stacked linears with a tanh between', () => {
    const w2 = v(4, 64, [2, 2]);
    gradcheck({
      name: 'linear-tanh-linear',
      inputs: [x, w, b, w2],
      outShape: [4, 2],
      rxnn: ([p, q, s, q2]) => F.linear(F.linear(p, q, s).tanh(), q2),
      ref: ([p, q, s, q2]) => linearRef(linearRef(p, q, s, 4, 3, 2).map(Math.tanh), q2, null, 4, 2, 2),
    });
  });
});
