import type { BinaryOp, KernelName, Kernels, ReduceOp } from '../kernels';
import { jsKernels } from '../js';
import { emptyProduct } from '../js/matmul';
import { fromHost, Storage } from '../storage';
import type { DeviceLink, Residency } from './resident';

/**
 * What webgpu mode runs on the host (the js kernels, after their inputs come back) rather than
 * on the device: none is in a training step of rxnn's modules, and pow's special cases and the
 * float64 variance are PyTorch's bits there. test/backend/names.test.ts checks that every other
 * kernel and op has a device kernel.
 */
export const HOST_FALLBACKS = {
  kernels: ['variance', 'scatterAddRows'] as const satisfies readonly KernelName[],
  binary: ['pow'] as const satisfies readonly BinaryOp[],
  reduce: ['max', 'argmax'] as const satisfies readonly ReduceOp[],
};
type HostBinaryOp = (typeof HOST_FALLBACKS.binary)[number];
const onHostBinary = (op: BinaryOp): op is HostBinaryOp => (HOST_FALLBACKS.binary as readonly string[]).includes(op);
const onHostReduce = (op: ReduceOp) => (HOST_FALLBACKS.reduce as readonly string[]).includes(op);

/**
 * The gpu backend's kernels in webgpu mode: every primitive runs on the device
 * (src/backend/gpu/wgsl/), on arrays that stay there (resident.ts), except
 *
 *   HOST_FALLBACKS                               on the host (js), after their inputs come back;
 *   gatherRows of a host array                   on the host: a loader's batch of a dataset that
 *                                                lives on the host is gathered there and uploaded once;
 *   empty tensors and k = 0 products             on the host (nothing to compute).
 *
 * Each of these is declared here, never a silent fallback. Kernels post their
 * call and return at once; only read() waits for the device.
 */
export function deviceKernels(res: Residency, link: DeviceLink): Kernels {
  /** Runs a js kernel on host values: every array argument is brought back first. */
  const onHost =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...args: A): R => {
      for (const a of args) if (a instanceof Storage) res.read(a);
      return f(...args);
    };
  const opt = (a: Storage | null | undefined) => (a ? res.input(a) : undefined);
  const empty = () => fromHost(new Float32Array(0));
  // The js kernels that run here on host values, wrapped once.
  const host = {
    binary: onHost(jsKernels.binary),
    reduce: onHost(jsKernels.reduce),
    batchNormStats: onHost(jsKernels.batchNormStats),
    batchNormForward: onHost(jsKernels.batchNormForward),
    batchNormBackward: onHost(jsKernels.batchNormBackward),
  };

  const kernels: Kernels = {
    unary(op, x) {
      if (x.length === 0) return empty();
      const xi = res.input(x);
      const out = res.output(x.length);
      link.run({ kernel: 'unary', op, x: xi, out: out.id, length: x.length });
      return out.storage;
    },

    binary(op, a, aShape, b, bShape, outShape) {
      const size = outShape.reduce((p, d) => p * d, 1);
      if (size === 0 || onHostBinary(op)) return host.binary(op, a, aShape, b, bShape, outShape);
      const ai = res.input(a),
        bi = b === a ? ai : res.input(b);
      const out = res.output(size);
      link.run({
        kernel: 'binary',
        op,
        a: ai,
        aShape: [...aShape],
        b: bi,
        bShape: [...bShape],
        outShape: [...outShape],
        out: out.id,
      });
      return out.storage;
    },

    reduce(op, x, shape, axes) {
      const kept = shape.reduce((p, d, i) => (axes.includes(i) ? p : p * d), 1);
      if (kept === 0 || onHostReduce(op)) return host.reduce(op, x, shape, axes);
      const xi = res.input(x);
      const out = res.output(kept);
      link.run({ kernel: 'reduceSum', x: xi, shape: [...shape], axes: [...axes], out: out.id });
      return out.storage;
    },

    variance: onHost(jsKernels.variance),

    matmul(a, b, m, k, n, transA, transB, bias) {
      if (m * n === 0) return empty();
      if (k === 0) {
        return fromHost(emptyProduct(m, n, bias ? res.read(bias) : null));
      }
      const ai = res.input(a),
        bi = b === a ? ai : res.input(b),
        biasId = opt(bias);
      const out = res.output(m * n);
      link.run({
        kernel: 'matmul',
        a: ai,
        b: bi,
        out: out.id,
        m,
        k,
        n,
        transA,
        transB,
        ...(biasId ? { bias: biasId } : {}),
      });
      return out.storage;
    },

    permute(x, shape, perm) {
      if (x.length === 0) return empty();
      const xi = res.input(x);
      const out = res.output(x.length);
      link.run({ kernel: 'permute', x: xi, shape: [...shape], perm: [...perm], out: out.id });
      return out.storage;
    },

    gatherRows(x, rowSize, index) {
      if (!res.isOnDevice(x) || index.length * rowSize === 0) return jsKernels.gatherRows(x, rowSize, index);
      const xi = res.input(x);
      const out = res.output(index.length * rowSize);
      link.run({ kernel: 'gatherRows', x: xi, rowSize, index: [...index], out: out.id });
      return out.storage;
    },

    scatterAddRows: onHost(jsKernels.scatterAddRows),

    batchNormStats(x, n, c, s, eps) {
      if (n * c * s === 0) return host.batchNormStats(x, n, c, s, eps);
      const xi = res.input(x);
      const mean = res.output(c),
        varBiased = res.output(c),
        invstd = res.output(c);
      link.run({ kernel: 'bnStats', x: xi, n, c, s, eps, mean: mean.id, varBiased: varBiased.id, invstd: invstd.id });
      return { mean: mean.storage, varBiased: varBiased.storage, invstd: invstd.storage };
    },

    batchNormUpdateStats(runningMean, runningVar, mean, varBiased, momentum, m) {
      if (!runningMean && !runningVar) return;
      const meanId = res.input(mean),
        varId = res.input(varBiased);
      const rm = runningMean ? res.input(runningMean) : undefined,
        rv = runningVar ? res.input(runningVar) : undefined;
      link.run({
        kernel: 'bnUpdateStats',
        c: mean.length,
        mean: meanId,
        varBiased: varId,
        momentum,
        m,
        ...(rm ? { runningMean: rm } : {}),
        ...(rv ? { runningVar: rv } : {}),
      });
    },

    batchNormForward(x, n, c, s, mean, invstd, weight, bias) {
      if (n * c * s === 0) return host.batchNormForward(x, n, c, s, mean, invstd, weight, bias);
      const xi = res.input(x),
        mi = res.input(mean),
        ii = res.input(invstd),
        wi = opt(weight),
        bi = opt(bias);
      const out = res.output(x.length);
      link.run({
        kernel: 'bnForward',
        x: xi,
        n,
        c,
        s,
        mean: mi,
        invstd: ii,
        out: out.id,
        ...(wi ? { weight: wi } : {}),
        ...(bi ? { bias: bi } : {}),
      });
      return out.storage;
    },

    batchNormBackward(gy, x, n, c, s, mean, invstd, weight, batchStats, needWeightGrads) {
      if (n * c * s === 0)
        return host.batchNormBackward(gy, x, n, c, s, mean, invstd, weight, batchStats, needWeightGrads);
      const gi = res.input(gy),
        xi = gy === x ? gi : res.input(x),
        mi = res.input(mean),
        ii = res.input(invstd),
        wi = opt(weight);
      const gradInput = res.output(x.length);
      const gradWeight = needWeightGrads ? res.output(c) : null,
        gradBias = needWeightGrads ? res.output(c) : null;
      link.run({
        kernel: 'bnBackward',
        gy: gi,
        x: xi,
        n,
        c,
        s,
        mean: mi,
        invstd: ii,
        batchStats,
        gradInput: gradInput.id,
        ...(wi ? { weight: wi } : {}),
        ...(gradWeight && gradBias ? { gradWeight: gradWeight.id, gradBias: gradBias.id } : {}),
      });
      return {
        gradInput: gradInput.storage,
        gradWeight: gradWeight?.storage ?? null,
        gradBias: gradBias?.storage ?? null,
      };
    },

    sgdUpdate(param, grad, buf, o) {
      if (param.length === 0) return;
      // The grad may be the parameter itself only in contrived code; a copy keeps the bindings apart.
      const g = grad === param ? kernels.unary('copy', grad) : grad;
      const gi = res.input(g);
      const bi = buf && o.momentum !== 0 ? res.input(buf) : undefined;
      const pi = res.input(param);
      link.run({
        kernel: 'sgd',
        param: pi,
        grad: gi,
        length: param.length,
        lr: o.lr,
        momentum: o.momentum,
        dampening: o.dampening,
        weightDecay: o.weightDecay,
        nesterov: o.nesterov,
        first: o.first,
        ...(bi ? { buf: bi } : {}),
      });
      if (g !== grad) res.release(g);
    },

    accumulate(dst, src) {
      if (dst.length !== src.length) throw new Error(`accumulate: dst has ${dst.length} values, src ${src.length}`);
      if (dst.length === 0) return;
      // dst += dst: read from a copy, since one buffer cannot be bound for reading and writing at once.
      const s = src === dst ? kernels.unary('copy', src) : src;
      const si = res.input(s);
      const di = res.input(dst);
      link.run({ kernel: 'accumulate', dst: di, src: si, length: dst.length });
      if (s !== src) res.release(s);
    },

    fill(dst, value) {
      if (dst.length === 0) return;
      link.run({ kernel: 'fill', dst: res.target(dst), length: dst.length, value });
    },

    read: (buf) => res.read(buf),
    release: (buf) => res.release(buf),
  };
  return kernels;
}
