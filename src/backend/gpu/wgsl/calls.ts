/**
 * The device runtime's calls (runtime.ts): each checks its KernelCall (throwing,
 * before anything is allocated or encoded, with the argument, its value and what
 * was expected), allocates its outputs, packs the kernels' uniform blocks
 * (kernels.ts) and encodes their dispatches through the runtime's core.
 */
import type { UnaryOp } from '../../kernels';
import type { DeviceBinaryOp } from './elementwise';
import {
  binaryPlan,
  dispatchGrid,
  packBcast,
  packBn,
  packBnElementwise,
  packBnUpdate,
  packFill,
  packLen,
  packMatmul,
  packReduce,
  packSgd,
  permutePlan,
  reducePlan,
} from './kernels';

/** Every unary op of backend/kernels.ts: each has a WGSL kernel (elementwise.ts) but copy, a buffer copy. */
export type UnaryKernelOp = UnaryOp;
/** The binary ops with a WGSL kernel (elementwise.ts DeviceBinaryOp). */
export type BinaryKernelOp = DeviceBinaryOp;

/** One kernel call; ids name the runtime's buffers, lengths are in floats (runtime.ts DeviceRuntime.run). */
export type KernelCall =
  | {
      kernel: 'matmul';
      a: number;
      b: number;
      out: number;
      m: number;
      k: number;
      n: number;
      transA: boolean;
      transB: boolean;
      bias?: number;
    }
  | { kernel: 'unary'; op: UnaryKernelOp; x: number; out: number; length: number }
  | {
      kernel: 'binary';
      op: BinaryKernelOp;
      a: number;
      aShape: number[];
      b: number;
      bShape: number[];
      outShape: number[];
      out: number;
    }
  | { kernel: 'reduceSum'; x: number; shape: number[]; axes: number[]; out: number }
  | {
      kernel: 'bnStats';
      x: number;
      n: number;
      c: number;
      s: number;
      eps: number;
      mean: number;
      varBiased: number;
      invstd: number;
    }
  | {
      kernel: 'bnForward';
      x: number;
      n: number;
      c: number;
      s: number;
      mean: number;
      invstd: number;
      weight?: number;
      bias?: number;
      out: number;
    }
  | {
      kernel: 'bnBackward';
      gy: number;
      x: number;
      n: number;
      c: number;
      s: number;
      mean: number;
      invstd: number;
      weight?: number;
      batchStats: boolean;
      gradInput: number;
      gradWeight?: number;
      gradBias?: number;
    }
  | {
      kernel: 'bnUpdateStats';
      c: number;
      mean: number;
      varBiased: number;
      runningMean?: number;
      runningVar?: number;
      momentum: number;
      m: number;
    }
  | {
      kernel: 'sgd';
      param: number;
      grad: number;
      buf?: number;
      length: number;
      lr: number;
      momentum: number;
      dampening: number;
      weightDecay: number;
      nesterov: boolean;
      first: boolean;
    }
  | { kernel: 'accumulate'; dst: number; src: number; length: number }
  | { kernel: 'fill'; dst: number; length: number; value: number }
  | { kernel: 'permute'; x: number; shape: number[]; perm: number[]; out: number }
  | { kernel: 'gatherRows'; x: number; rowSize: number; index: number[]; out: number };

/** A GPU buffer of the runtime: its size, a serial (bind groups are cached by it), the batch that last bound it. */
export interface Buf<B = unknown> {
  gpu: B;
  bytes: number;
  serial: number;
  used: number;
}

/** What createDeviceRuntime gives the calls. */
export interface RuntimeCore {
  /** The u32 and f32 views of the parameter slots; begin() answers the word a call's block starts at. */
  readonly pu: Uint32Array;
  readonly pf: Float32Array;
  readonly maxDim: number;
  /** Stand-ins bound for absent optional operands (one read-only, two written), never touched by the kernel. */
  readonly dummyR: Buf;
  readonly dummyW1: Buf;
  readonly dummyW2: Buf;
  fail(msg: string): never;
  checkLength(length: number, arg: string): number;
  checkShape(shape: unknown, arg: string): number;
  checkNumber(v: number, arg: string): void;
  /** The buffer of input id, holding exactly `length` floats. */
  input(id: number, arg: string, length: number, why?: string): Buf;
  /** Whether the sources hold a kernel under `key` (e.g. 'unary:abs'). */
  hasKernel(key: string): boolean;
  /** The ops of the kernels keyed `<family>:<op>...` (e.g. every unary op), for error messages. */
  kernelOps(family: string): string[];
  /** Length of buffer id, undefined when there is none. */
  lengthOf(id: number): number | undefined;
  /** Checks an output id: an existing one must have `length`. Allocating comes after every check (output()). */
  checkOutput(id: number, arg: string, length: number, why?: string): void;
  output(id: number, length: number): Buf;
  /** A written buffer may not be any other operand of the call (WebGPU forbids the aliasing). */
  distinct(kernel: string, written: [string, number | undefined][], others: [string, number | undefined][]): void;
  /** Claims the next command's parameter slot (submitting a full batch first); answers its first word. */
  begin(call: unknown): number;
  /** begin(), and `index` placed in the index buffer at word `at` (for a dynamic offset). */
  beginIndexed(call: unknown, index: readonly number[]): { word: number; at: number };
  /** Encodes kernel `key` on bufs (binding order, 'u' and 'i' skipped) on an x * y grid, in the slot begin() claimed. */
  dispatch(key: string, bufs: Buf[], x: number, y: number, indexAt?: number, indexBytes?: number): void;
  /** A 1-D kernel of `count` threads, 256 to a workgroup. */
  dispatch1(key: string, bufs: Buf[], count: number, indexAt?: number, indexBytes?: number): void;
  /** A buffer-to-buffer copy (bit for bit). */
  copy(call: unknown, src: Buf, dst: Buf, bytes: number): void;
  alloc(length: number, what: () => string): Buf;
  release(b: Buf): void;
}

/** A gather through dims/strides (layout.ts's kernel, BCAST_PARAMS layout). */
function callGather(rt: RuntimeCore, call: unknown, x: Buf, out: Buf, len: number, dims: number[], as: number[]): void {
  packBcast(rt.pu, rt.begin(call), len, dims, as);
  rt.dispatch1('gather', [x, out], len);
}

function callFill(rt: RuntimeCore, call: unknown, out: Buf, len: number, value: number): void {
  packFill(rt.pu, rt.pf, rt.begin(call), len, value);
  rt.dispatch1('fill', [out], len);
}

function callMatmul(rt: RuntimeCore, c: Extract<KernelCall, { kernel: 'matmul' }>): void {
  const m = rt.checkLength(c.m, 'matmul.m'),
    k = rt.checkLength(c.k, 'matmul.k'),
    n = rt.checkLength(c.n, 'matmul.n');
  const shape = ` (m=${m}, k=${k}, n=${n})`;
  const a = rt.input(c.a, 'matmul.a', m * k, shape),
    b = rt.input(c.b, 'matmul.b', k * n, shape);
  const bias = c.bias === undefined ? null : rt.input(c.bias, 'matmul.bias', n, shape);
  rt.checkOutput(c.out, 'matmul.out', m * n, shape);
  rt.distinct(
    'matmul',
    [['out', c.out]],
    [
      ['a', c.a],
      ['b', c.b],
      ['bias', c.bias],
    ],
  );
  const out = rt.output(c.out, m * n);
  if (m * n === 0) return;
  if (k === 0) {
    // No products: zeros, or addmm's bias rows as they are (bits: a -0 stays -0).
    if (bias) callGather(rt, c, bias, out, m * n, m > 1 ? [m, n] : [n], m > 1 ? [0, 1] : [1]);
    else callFill(rt, c, out, m * n, 0);
    return;
  }
  const tilesM = Math.ceil(m / 64),
    tilesN = Math.ceil(n / 64);
  packMatmul(rt.pu, rt.begin(c), m, k, n);
  rt.dispatch(
    `mm:${c.transA ? 1 : 0}${c.transB ? 1 : 0}${n % 4 === 0 ? 1 : 0}`,
    [a, b, out],
    Math.min(tilesN, rt.maxDim),
    Math.min(tilesM, rt.maxDim),
  );
  if (bias) {
    packLen(rt.pu, rt.begin(c), m * n, n);
    rt.dispatch1('biasAdd', [out, bias], m * n);
  }
}

function callUnary(rt: RuntimeCore, c: Extract<KernelCall, { kernel: 'unary' }>): void {
  // The ops are the sources' (deviceKernelSources, from backend/kernels.ts UNARY_OPS); copy is a buffer copy.
  if (c.op !== 'copy' && !rt.hasKernel(`unary:${c.op}`))
    rt.fail(`unary.op = '${c.op}': expected one of ${rt.kernelOps('unary').concat('copy').join(', ')}`);
  const len = rt.checkLength(c.length, 'unary.length');
  const x = rt.input(c.x, 'unary.x', len);
  rt.checkOutput(c.out, 'unary.out', len);
  rt.distinct('unary', [['out', c.out]], [['x', c.x]]);
  const out = rt.output(c.out, len);
  if (len === 0) return;
  if (c.op === 'copy') return rt.copy(c, x, out, len * 4);
  packLen(rt.pu, rt.begin(c), len, 0);
  rt.dispatch1(`unary:${c.op}`, [x, out], len);
}

function callBinary(rt: RuntimeCore, c: Extract<KernelCall, { kernel: 'binary' }>): void {
  if (!rt.hasKernel(`binary:${c.op}:same`))
    rt.fail(`binary.op = '${c.op}': expected one of ${rt.kernelOps('binary').join(', ')}`);
  const aSize = rt.checkShape(c.aShape, 'binary.aShape'),
    bSize = rt.checkShape(c.bShape, 'binary.bShape');
  const len = rt.checkShape(c.outShape, 'binary.outShape');
  const r = c.outShape.length;
  for (const [arg, s] of [
    ['aShape', c.aShape],
    ['bShape', c.bShape],
  ] as [string, number[]][]) {
    const bad = s.length > r || s.some((d, i) => d !== 1 && d !== c.outShape[r - s.length + i]);
    if (bad) rt.fail(`binary.${arg} = [${s.join(', ')}] does not broadcast to outShape [${c.outShape.join(', ')}]`);
  }
  const a = rt.input(c.a, 'binary.a', aSize, ` (aShape [${c.aShape.join(', ')}])`);
  const b = rt.input(c.b, 'binary.b', bSize, ` (bShape [${c.bShape.join(', ')}])`);
  rt.checkOutput(c.out, 'binary.out', len, ` (outShape [${c.outShape.join(', ')}])`);
  rt.distinct(
    'binary',
    [['out', c.out]],
    [
      ['a', c.a],
      ['b', c.b],
    ],
  );
  const out = rt.output(c.out, len);
  if (len === 0) return;
  if (aSize === len && bSize === len) {
    packLen(rt.pu, rt.begin(c), len, 0);
    return rt.dispatch1(`binary:${c.op}:same`, [a, b, out], len);
  }
  const plan = binaryPlan(c.aShape, c.bShape, c.outShape);
  packBcast(rt.pu, rt.begin(c), len, plan.dims, plan.as, plan.bs);
  rt.dispatch1(`binary:${c.op}:bcast`, [a, b, out], len);
}

function callReduceSum(rt: RuntimeCore, c: Extract<KernelCall, { kernel: 'reduceSum' }>): void {
  const size = rt.checkShape(c.shape, 'reduceSum.shape');
  if (!Array.isArray(c.axes)) rt.fail(`reduceSum.axes = ${String(c.axes)}: expected an array of axes`);
  for (let i = 0; i < c.axes.length; i++) {
    const ax = c.axes[i];
    if (!Number.isInteger(ax) || ax < 0 || ax >= c.shape.length || (i > 0 && ax <= c.axes[i - 1])) {
      rt.fail(
        `reduceSum.axes = [${c.axes.join(', ')}]: expected distinct increasing axes of shape [${c.shape.join(', ')}]`,
      );
    }
  }
  const x = rt.input(c.x, 'reduceSum.x', size, ` (shape [${c.shape.join(', ')}])`);
  const plan = reducePlan(c.shape, c.axes);
  rt.checkOutput(
    c.out,
    'reduceSum.out',
    plan.outCount,
    ` (shape [${c.shape.join(', ')}] over axes [${c.axes.join(', ')}])`,
  );
  rt.distinct('reduceSum', [['out', c.out]], [['x', c.x]]);
  const out = rt.output(c.out, plan.outCount);
  if (plan.outCount === 0) return;
  const { outCount, r, parts } = plan;
  if (parts === 1) {
    packReduce(
      rt.pu,
      rt.begin(c),
      outCount,
      r,
      1,
      plan.keptDims,
      plan.keptStrides,
      plan.redDims,
      plan.redStrides,
      false,
    );
    const groups = plan.variant === 'wg' ? outCount : Math.ceil(outCount / 64);
    const [gx, gy] = dispatchGrid(groups, rt.maxDim);
    return rt.dispatch(`reduce:${plan.variant}`, [x, out], gx, gy);
  }
  // Two passes: `parts` partial sums per output, as (sum, error) pairs, into a scratch buffer; then a sum over them.
  const scratch = rt.alloc(outCount * parts * 2, () => `allocating reduceSum's ${outCount * parts} partial sums`);
  packReduce(
    rt.pu,
    rt.begin(c),
    outCount,
    r,
    parts,
    plan.keptDims,
    plan.keptStrides,
    plan.redDims,
    plan.redStrides,
    true,
  );
  let [gx, gy] = dispatchGrid(outCount * parts, rt.maxDim);
  rt.dispatch('reduce:wg', [x, scratch], gx, gy);
  packReduce(rt.pu, rt.begin(c), outCount, 2 * parts, 1, [outCount], [2 * parts], [2 * parts], [1], false);
  [gx, gy] = dispatchGrid(outCount, rt.maxDim);
  rt.dispatch('reduce:wg', [scratch, out], gx, gy);
  rt.release(scratch);
}

/** n, c, s of a BatchNorm call, and its element count. */
function bnDims(
  rt: RuntimeCore,
  call: { n: number; c: number; s: number },
  kernel: string,
): [number, number, number, number, string] {
  const n = rt.checkLength(call.n, `${kernel}.n`),
    c = rt.checkLength(call.c, `${kernel}.c`),
    s = rt.checkLength(call.s, `${kernel}.s`);
  return [n, c, s, rt.checkLength(n * c * s, `${kernel}'s n * c * s`), ` ([N, C, S] = [${n}, ${c}, ${s}])`];
}

function callBnStats(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'bnStats' }>): void {
  const [n, c, s, len, shape] = bnDims(rt, k, 'bnStats');
  rt.checkNumber(k.eps, 'bnStats.eps');
  const x = rt.input(k.x, 'bnStats.x', len, shape);
  for (const arg of ['mean', 'varBiased', 'invstd'] as const) rt.checkOutput(k[arg], `bnStats.${arg}`, c, shape);
  rt.distinct(
    'bnStats',
    [
      ['mean', k.mean],
      ['varBiased', k.varBiased],
      ['invstd', k.invstd],
    ],
    [['x', k.x]],
  );
  const mean = rt.output(k.mean, c),
    v = rt.output(k.varBiased, c),
    inv = rt.output(k.invstd, c);
  if (c === 0) return;
  packBn(rt.pu, rt.pf, rt.begin(k), n, c, s, 0, k.eps);
  const [gx, gy] = dispatchGrid(c, rt.maxDim);
  rt.dispatch('bnStats', [x, mean, v, inv], gx, gy);
}

function callBnForward(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'bnForward' }>): void {
  const [, c, s, len, shape] = bnDims(rt, k, 'bnForward');
  const x = rt.input(k.x, 'bnForward.x', len, shape);
  const mean = rt.input(k.mean, 'bnForward.mean', c, shape),
    inv = rt.input(k.invstd, 'bnForward.invstd', c, shape);
  const wt = k.weight === undefined ? null : rt.input(k.weight, 'bnForward.weight', c, shape);
  const bias = k.bias === undefined ? null : rt.input(k.bias, 'bnForward.bias', c, shape);
  rt.checkOutput(k.out, 'bnForward.out', len, shape);
  rt.distinct(
    'bnForward',
    [['out', k.out]],
    [
      ['x', k.x],
      ['mean', k.mean],
      ['invstd', k.invstd],
      ['weight', k.weight],
      ['bias', k.bias],
    ],
  );
  const out = rt.output(k.out, len);
  if (len === 0) return;
  packBnElementwise(rt.pu, rt.begin(k), len, c, s, (wt ? 2 : 0) | (bias ? 4 : 0));
  rt.dispatch1('bnForward', [x, mean, inv, wt || rt.dummyR, bias || rt.dummyR, out], len);
}

function callBnBackward(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'bnBackward' }>): void {
  const [n, c, s, len, shape] = bnDims(rt, k, 'bnBackward');
  const gy = rt.input(k.gy, 'bnBackward.gy', len, shape),
    x = rt.input(k.x, 'bnBackward.x', len, shape);
  const mean = rt.input(k.mean, 'bnBackward.mean', c, shape),
    inv = rt.input(k.invstd, 'bnBackward.invstd', c, shape);
  const wt = k.weight === undefined ? null : rt.input(k.weight, 'bnBackward.weight', c, shape);
  rt.checkOutput(k.gradInput, 'bnBackward.gradInput', len, shape);
  if (k.gradWeight !== undefined) rt.checkOutput(k.gradWeight, 'bnBackward.gradWeight', c, shape);
  if (k.gradBias !== undefined) rt.checkOutput(k.gradBias, 'bnBackward.gradBias', c, shape);
  rt.distinct(
    'bnBackward',
    [
      ['gradInput', k.gradInput],
      ['gradWeight', k.gradWeight],
      ['gradBias', k.gradBias],
    ],
    [
      ['gy', k.gy],
      ['x', k.x],
      ['mean', k.mean],
      ['invstd', k.invstd],
      ['weight', k.weight],
    ],
  );
  const gx = rt.output(k.gradInput, len);
  const gw = k.gradWeight === undefined ? null : rt.output(k.gradWeight, c);
  const gb = k.gradBias === undefined ? null : rt.output(k.gradBias, c);
  if (c === 0) return;
  if (!k.batchStats && !gw && !gb) {
    if (len === 0) return;
    packBnElementwise(rt.pu, rt.begin(k), len, c, s, wt ? 2 : 0);
    return rt.dispatch1('bnBackward:ew', [gy, inv, wt || rt.dummyR, gx], len);
  }
  packBn(rt.pu, rt.pf, rt.begin(k), n, c, s, (k.batchStats ? 1 : 0) | (wt ? 2 : 0) | (gw ? 4 : 0) | (gb ? 8 : 0), 0);
  const [gx0, gy0] = dispatchGrid(c, rt.maxDim);
  rt.dispatch('bnBackward:wg', [gy, x, mean, inv, wt || rt.dummyR, gx, gw || rt.dummyW1, gb || rt.dummyW2], gx0, gy0);
}

function callBnUpdateStats(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'bnUpdateStats' }>): void {
  const c = rt.checkLength(k.c, 'bnUpdateStats.c');
  rt.checkNumber(k.momentum, 'bnUpdateStats.momentum');
  rt.checkNumber(k.m, 'bnUpdateStats.m');
  const mean = rt.input(k.mean, 'bnUpdateStats.mean', c),
    v = rt.input(k.varBiased, 'bnUpdateStats.varBiased', c);
  const rm = k.runningMean === undefined ? null : rt.input(k.runningMean, 'bnUpdateStats.runningMean', c);
  const rv = k.runningVar === undefined ? null : rt.input(k.runningVar, 'bnUpdateStats.runningVar', c);
  rt.distinct(
    'bnUpdateStats',
    [
      ['runningMean', k.runningMean],
      ['runningVar', k.runningVar],
    ],
    [
      ['mean', k.mean],
      ['varBiased', k.varBiased],
    ],
  );
  if (c === 0 || (!rm && !rv)) return;
  packBnUpdate(rt.pu, rt.pf, rt.begin(k), c, (rm ? 1 : 0) | (rv ? 2 : 0), 1 - k.momentum, k.momentum, k.m / (k.m - 1));
  rt.dispatch1('bnUpdate', [mean, v, rm || rt.dummyW1, rv || rt.dummyW2], c);
}

function callSgd(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'sgd' }>): void {
  const len = rt.checkLength(k.length, 'sgd.length');
  for (const arg of ['lr', 'momentum', 'dampening', 'weightDecay'] as const) rt.checkNumber(k[arg], `sgd.${arg}`);
  const param = rt.input(k.param, 'sgd.param', len),
    grad = rt.input(k.grad, 'sgd.grad', len);
  // The momentum buffer is used only with a momentum (as in the js rule); a first step may create it.
  const withBuf = k.buf !== undefined && Math.fround(k.momentum) !== 0;
  if (withBuf && (!k.first || rt.lengthOf(k.buf as number) !== undefined))
    rt.input(k.buf as number, 'sgd.buf', len, ' (a step that is not the first needs the momentum buffer)');
  if (withBuf) rt.checkOutput(k.buf as number, 'sgd.buf', len);
  rt.distinct(
    'sgd',
    [
      ['param', k.param],
      ['buf', withBuf ? k.buf : undefined],
    ],
    [['grad', k.grad]],
  );
  const buf = withBuf ? rt.output(k.buf as number, len) : null;
  if (len === 0) return;
  packSgd(
    rt.pu,
    rt.pf,
    rt.begin(k),
    len,
    (k.first ? 1 : 0) | (k.nesterov ? 2 : 0),
    k.lr,
    k.weightDecay,
    k.momentum,
    1 - k.dampening,
  );
  rt.dispatch1(buf ? 'sgdm' : 'sgd', buf ? [param, grad, buf] : [param, grad], len);
}

function callAccumulate(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'accumulate' }>): void {
  const len = rt.checkLength(k.length, 'accumulate.length');
  const dst = rt.input(k.dst, 'accumulate.dst', len),
    src = rt.input(k.src, 'accumulate.src', len);
  rt.distinct('accumulate', [['dst', k.dst]], [['src', k.src]]);
  if (len === 0) return;
  packLen(rt.pu, rt.begin(k), len, 0);
  rt.dispatch1('accumulate', [dst, src], len);
}

function callFillKernel(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'fill' }>): void {
  const len = rt.checkLength(k.length, 'fill.length');
  rt.checkNumber(k.value, 'fill.value');
  rt.checkOutput(k.dst, 'fill.dst', len);
  const dst = rt.output(k.dst, len);
  if (len > 0) callFill(rt, k, dst, len, k.value);
}

function callPermute(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'permute' }>): void {
  const size = rt.checkShape(k.shape, 'permute.shape');
  const r = k.shape.length;
  const ok =
    Array.isArray(k.perm) &&
    k.perm.length === r &&
    k.perm.every((p, i) => Number.isInteger(p) && p >= 0 && p < r && k.perm.indexOf(p) === i);
  if (!ok)
    rt.fail(
      `permute.perm = [${String(k.perm)}]: expected a permutation of 0..${r - 1} (shape [${k.shape.join(', ')}])`,
    );
  const x = rt.input(k.x, 'permute.x', size, ` (shape [${k.shape.join(', ')}])`);
  rt.checkOutput(k.out, 'permute.out', size);
  rt.distinct('permute', [['out', k.out]], [['x', k.x]]);
  const out = rt.output(k.out, size);
  if (size === 0) return;
  const plan = permutePlan(k.shape, k.perm);
  // Nothing moves (one contiguous run): a buffer copy.
  if (plan.dims.length === 0 || (plan.dims.length === 1 && plan.as[0] === 1)) return rt.copy(k, x, out, size * 4);
  callGather(rt, k, x, out, size, plan.dims, plan.as);
}

function callGatherRows(rt: RuntimeCore, k: Extract<KernelCall, { kernel: 'gatherRows' }>): void {
  const rowSize = rt.checkLength(k.rowSize, 'gatherRows.rowSize');
  if (!Array.isArray(k.index)) rt.fail(`gatherRows.index = ${String(k.index)}: expected an array of row numbers`);
  const xLen = rt.lengthOf(k.x);
  if (xLen === undefined)
    return rt.fail(`gatherRows.x = ${k.x}: no buffer has this id (upload it, or make it an earlier call's output)`);
  const x = rt.input(k.x, 'gatherRows.x', xLen);
  if (rowSize > 0 && xLen % rowSize !== 0)
    rt.fail(`gatherRows.x = ${k.x} holds ${xLen} floats, not a whole number of rows of ${rowSize}`);
  const rows = rowSize > 0 ? xLen / rowSize : 0;
  const count = k.index.length;
  if (rowSize > 0) {
    for (let r = 0; r < count; r++) {
      const v = k.index[r];
      if (!Number.isInteger(v) || v < 0 || v >= rows)
        rt.fail(`gatherRows.index[${r}] = ${v}: expected a row number in 0..${rows - 1}`);
    }
  }
  const len = rt.checkLength(count * rowSize, 'gatherRows output');
  rt.checkOutput(k.out, 'gatherRows.out', len);
  rt.distinct('gatherRows', [['out', k.out]], [['x', k.x]]);
  const out = rt.output(k.out, len);
  if (len === 0) return;
  const { word, at } = rt.beginIndexed(k, k.index);
  packLen(rt.pu, word, len, rowSize);
  rt.dispatch1('gatherRows', [x, out], len, at, count * 4);
}

/** Checks and encodes one call. */
export function runCall(rt: RuntimeCore, call: KernelCall): void {
  if (!call || typeof call !== 'object') rt.fail(`run: call = ${String(call)}: expected a kernel call object`);
  switch (call.kernel) {
    case 'matmul':
      return callMatmul(rt, call);
    case 'unary':
      return callUnary(rt, call);
    case 'binary':
      return callBinary(rt, call);
    case 'reduceSum':
      return callReduceSum(rt, call);
    case 'bnStats':
      return callBnStats(rt, call);
    case 'bnForward':
      return callBnForward(rt, call);
    case 'bnBackward':
      return callBnBackward(rt, call);
    case 'bnUpdateStats':
      return callBnUpdateStats(rt, call);
    case 'sgd':
      return callSgd(rt, call);
    case 'accumulate':
      return callAccumulate(rt, call);
    case 'fill':
      return callFillKernel(rt, call);
    case 'permute':
      return callPermute(rt, call);
    case 'gatherRows':
      return callGatherRows(rt, call);
    default:
      rt.fail(
        `run: kernel = '${String((call as { kernel: unknown }).kernel)}': expected one of matmul, unary, binary, reduceSum, ` +
          'bnStats, bnForward, bnBackward, bnUpdateStats, sgd, accumulate, fill, permute, gatherRows',
      );
  }
}
