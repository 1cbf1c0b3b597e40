import type { HostKernels, Kernels } from './kernels';
import { hostValues, Storage } from './storage';

const v = hostValues;
const opt = (s: Storage | null | undefined): Float32Array | null => (s ? hostValues(s) : null);
const wrap = (a: Float32Array): Storage => new Storage(a.length, a);
const wrapOpt = (a: Float32Array | null): Storage | null => (a ? wrap(a) : null);

/**
 * Kernels over storages from kernels over host arrays (the js backend's, gpu.js's): each storage
 * argument is unwrapped to its host array (which throws for a released one) and each result
 * wrapped in a fresh storage. `release` retires the storage first, so any later use of it
 * throws, then offers its array to the backend's own release.
 */
export function adaptHostKernels(k: Partial<HostKernels>): Partial<Kernels> {
  const out: Partial<Kernels> = {};
  if (k.unary) {
    const f = k.unary;
    out.unary = (op, x) => wrap(f(op, v(x)));
  }
  if (k.binary) {
    const f = k.binary;
    out.binary = (op, a, aShape, b, bShape, outShape) => wrap(f(op, v(a), aShape, v(b), bShape, outShape));
  }
  if (k.reduce) {
    const f = k.reduce;
    out.reduce = (op, x, shape, axes) => wrap(f(op, v(x), shape, axes));
  }
  if (k.variance) {
    const f = k.variance;
    out.variance = (x, shape, axes, correction) => wrap(f(v(x), shape, axes, correction));
  }
  if (k.matmul) {
    const f = k.matmul;
    out.matmul = (a, b, m, kk, n, transA, transB, bias) => wrap(f(v(a), v(b), m, kk, n, transA, transB, opt(bias)));
  }
  if (k.permute) {
    const f = k.permute;
    out.permute = (x, shape, perm) => wrap(f(v(x), shape, perm));
  }
  if (k.gatherRows) {
    const f = k.gatherRows;
    out.gatherRows = (x, rowSize, index) => wrap(f(v(x), rowSize, index));
  }
  if (k.scatterAddRows) {
    const f = k.scatterAddRows;
    out.scatterAddRows = (g, rowSize, index, numRows) => wrap(f(v(g), rowSize, index, numRows));
  }
  if (k.batchNormStats) {
    const f = k.batchNormStats;
    out.batchNormStats = (x, n, c, s, eps) => {
      const r = f(v(x), n, c, s, eps);
      return { mean: wrap(r.mean), varBiased: wrap(r.varBiased), invstd: wrap(r.invstd) };
    };
  }
  if (k.batchNormUpdateStats) {
    const f = k.batchNormUpdateStats;
    out.batchNormUpdateStats = (rm, rv, mean, varBiased, momentum, m) =>
      f(opt(rm), opt(rv), v(mean), v(varBiased), momentum, m);
  }
  if (k.batchNormForward) {
    const f = k.batchNormForward;
    out.batchNormForward = (x, n, c, s, mean, invstd, weight, bias) =>
      wrap(f(v(x), n, c, s, v(mean), v(invstd), opt(weight), opt(bias)));
  }
  if (k.batchNormBackward) {
    const f = k.batchNormBackward;
    out.batchNormBackward = (gy, x, n, c, s, mean, invstd, weight, batchStats, needWeightGrads) => {
      const r = f(v(gy), v(x), n, c, s, v(mean), v(invstd), opt(weight), batchStats, needWeightGrads);
      return { gradInput: wrap(r.gradInput), gradWeight: wrapOpt(r.gradWeight), gradBias: wrapOpt(r.gradBias) };
    };
  }
  if (k.sgdUpdate) {
    const f = k.sgdUpdate;
    out.sgdUpdate = (param, grad, buf, o) => f(v(param), v(grad), opt(buf), o);
  }
  if (k.accumulate) {
    const f = k.accumulate;
    out.accumulate = (dst, src) => f(v(dst), v(src));
  }
  if (k.fill) {
    const f = k.fill;
    out.fill = (dst, value) => f(v(dst), value);
  }
  if (k.read) {
    const f = k.read;
    out.read = (s) => f(v(s));
  }
  if (k.release) {
    const f = k.release;
    out.release = (s) => {
      const a = s.host;
      if (s.released || a === null) return;
      s.host = null;
      s.released = true;
      f(a);
    };
  }
  return out;
}
