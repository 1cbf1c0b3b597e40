import { flag } from '../../config/flags';
import type { BinaryOp, UnaryOp } from '../kernels';
import { broadcastIndexer } from '../shape';
import { simd } from './simd';
import { take } from './pool';

/**
 * Elements at or above which add, sub, mul, div, gt, relu and neg run as
 * f32x4 loops (src/backend/wasm/elementwise.ts; same bits), for the same,
 * row-broadcast and scalar layouts: 1.4x faster at 1024 elements, 6-16x at
 * 65536. Below it the copies cost more. Up to WASM_MAX_ELEMENTS (src/backend/wasm/limits.ts).
 */
export const EW_WASM_MIN = flag('RXNN_EW_WASM_MIN');

/**
 * Elementwise kernels. Each op's loop is generated from its expression once,
 * so every op gets its own monomorphic loop: a shared loop calling an op
 * function per element is megamorphic and several times slower in V8.
 */
const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: '-v',
  exp: 'Math.exp(v)',
  log: 'Math.log(v)',
  sqrt: 'Math.sqrt(v)',
  // PyTorch's relu is clamp_min(x, 0) with NaN kept: v < 0 ? 0 : v (so NaN and -0 pass through).
  relu: 'v < 0 ? 0 : v',
  sigmoid: '1 / (1 + Math.exp(-v))',
  tanh: 'Math.tanh(v)',
  abs: 'Math.abs(v)',
  copy: 'v',
};

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  // PyTorch's pow with a scalar exponent special-cases these, in float32 (x*x*x rounds twice).
  pow: 'b === 2 ? a * a : b === 3 ? Math.fround(a * a) * a : b === 0.5 ? Math.sqrt(a) : b === -1 ? 1 / a : b === -2 ? 1 / Math.fround(a * a) : Math.pow(a, b)',
  gt: 'a > b ? 1 : 0',
  // PyTorch's threshold_backward(g, x, 0): x <= 0 ? 0 : g (a NaN input passes its gradient).
  reluGrad: 'b <= 0 ? 0 : a',
};

type UnaryLoop = (x: Float32Array, out: Float32Array) => void;
type BinaryLoops = {
  /** Same length: out[i] = op(x[i], y[i]). */
  same: (x: Float32Array, y: Float32Array, out: Float32Array) => void;
  /** y repeats every `inner` elements: out[i] = op(x[i], y[i % inner]) (y broadcast over leading dims). */
  rows: (x: Float32Array, y: Float32Array, out: Float32Array, inner: number) => void;
  /** y holds one value per block of `inner`: out[i] = op(x[i], y[floor(i / inner)]) (y broadcast over trailing dims). */
  cols: (x: Float32Array, y: Float32Array, out: Float32Array, inner: number) => void;
  /** rows/cols with the roles swapped: x is the full operand `b`, y the broadcast operand `a`. */
  rowsSwapped: (x: Float32Array, y: Float32Array, out: Float32Array, inner: number) => void;
  colsSwapped: (x: Float32Array, y: Float32Array, out: Float32Array, inner: number) => void;
  any: (
    x: Float32Array,
    y: Float32Array,
    out: Float32Array,
    ix: (i: number) => number,
    iy: (i: number) => number,
  ) => void;
};

const unaryLoops = Object.fromEntries(
  Object.entries(UNARY_EXPR).map(([op, e]) => [
    op,
    // A loop compiled from the op's expression (the Function constructor is the point: one monomorphic loop per op).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('x', 'out', `for (let i = 0; i < out.length; i++) { const v = x[i]; out[i] = ${e}; }`) as UnaryLoop,
  ]),
) as Record<UnaryOp, UnaryLoop>;

function binaryLoops(e: string): BinaryLoops {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = <F>(args: string, body: string) => new Function(...args.split(','), body) as F;
  return {
    same: make('x,y,out', `for (let i = 0; i < out.length; i++) { const a = x[i], b = y[i]; out[i] = ${e}; }`),
    rows: make(
      'x,y,out,inner',
      `for (let o = 0; o < out.length; o += inner) for (let j = 0; j < inner; j++) { const a = x[o + j], b = y[j]; out[o + j] = ${e}; }`,
    ),
    cols: make(
      'x,y,out,inner',
      `for (let o = 0, r = 0; o < out.length; o += inner, r++) { const b = y[r]; for (let j = 0; j < inner; j++) { const a = x[o + j]; out[o + j] = ${e}; } }`,
    ),
    rowsSwapped: make(
      'x,y,out,inner',
      `for (let o = 0; o < out.length; o += inner) for (let j = 0; j < inner; j++) { const b = x[o + j], a = y[j]; out[o + j] = ${e}; }`,
    ),
    colsSwapped: make(
      'x,y,out,inner',
      `for (let o = 0, r = 0; o < out.length; o += inner, r++) { const a = y[r]; for (let j = 0; j < inner; j++) { const b = x[o + j]; out[o + j] = ${e}; } }`,
    ),
    any: make(
      'x,y,out,ix,iy',
      `for (let i = 0; i < out.length; i++) { const a = x[ix(i)], b = y[iy(i)]; out[i] = ${e}; }`,
    ),
  };
}

const binaryTable = Object.fromEntries(Object.entries(BINARY_EXPR).map(([op, e]) => [op, binaryLoops(e)])) as Record<
  BinaryOp,
  BinaryLoops
>;

export function unary(op: UnaryOp, x: Float32Array): Float32Array {
  if (op === 'copy') {
    const out = take(x.length);
    out.set(x);
    return out;
  }
  if (x.length >= EW_WASM_MIN && x.length <= simd.maxElements && simd.unaryOps.has(op)) return simd.unary(op, x);
  const out = take(x.length);
  unaryLoops[op](x, out);
  return out;
}

const FULL = 0,
  ROWS = 1,
  COLS = 2,
  ANY = 3;
/**
 * How `shape` sits inside `outShape` after broadcasting: FULL (same size),
 * ROWS (it equals the trailing dims: repeats every `inner`), COLS (it equals
 * the leading dims, followed by size-1 dims: one value per block of `inner`),
 * or ANY. Returned as one number, kind + 4 * inner, so that no tuple is allocated per call.
 */
function layout(shape: readonly number[], size: number, outShape: readonly number[], outSize: number): number {
  if (size === outSize) return FULL;
  const lead = outShape.length - shape.length;
  let k = 0;
  while (k < shape.length && shape[k] === 1) k++;
  let i = k;
  while (i < shape.length && outShape[lead + i] === shape[i]) i++;
  if (i === shape.length) return ROWS + 4 * size;
  if (lead === 0) {
    let m = shape.length;
    while (m > 0 && shape[m - 1] === 1) m--;
    let j = 0;
    while (j < m && shape[j] === outShape[j]) j++;
    if (j === m) return COLS + 4 * (outSize / size);
  }
  return ANY;
}

export function binary(
  op: BinaryOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
): Float32Array {
  let size = 1;
  for (let i = 0; i < outShape.length; i++) size *= outShape[i];
  const loops = binaryTable[op];
  const ra = layout(aShape, a.length, outShape, size),
    la = ra % 4,
    ia = (ra - la) / 4;
  const rb = layout(bShape, b.length, outShape, size),
    lb = rb % 4,
    ib = (rb - lb) / 4;
  if (size >= EW_WASM_MIN && size <= simd.maxElements && simd.binaryOps.has(op)) {
    if (la === FULL && lb === FULL) return simd.binary(op, a, b, 'same', 0, false);
    if (la === FULL && lb === ROWS && (ib === 1 || ib % 4 === 0))
      return simd.binary(op, a, b, ib === 1 ? 'scalar' : 'rows', ib, false);
    if (lb === FULL && la === ROWS && (ia === 1 || ia % 4 === 0))
      return simd.binary(op, b, a, ia === 1 ? 'scalar' : 'rows', ia, true);
  }
  const out = take(size);
  if (la === FULL && lb === FULL) loops.same(a, b, out);
  else if (la === FULL && lb === ROWS) loops.rows(a, b, out, ib);
  else if (la === FULL && lb === COLS) loops.cols(a, b, out, ib);
  else if (lb === FULL && la === ROWS) loops.rowsSwapped(b, a, out, ia);
  else if (lb === FULL && la === COLS) loops.colsSwapped(b, a, out, ia);
  else loops.any(a, b, out, broadcastIndexer(aShape, outShape), broadcastIndexer(bShape, outShape));
  return out;
}

/**
 * Kernels.accumulate: dst += src in place. From 1024 values the SIMD add (both
 * copied in, the sum copied straight back into dst) beats the JS loop 4x; below it the loop wins.
 */
export function accumulate(dst: Float32Array, src: Float32Array): void {
  if (dst.length !== src.length) throw new Error(`accumulate: dst has ${dst.length} values, src ${src.length}`);
  if (dst.length < EW_WASM_MIN || dst.length > simd.maxElements) {
    for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    return;
  }
  simd.binary('add', dst, src, 'same', 0, false, dst);
}

export function fill(dst: Float32Array, value: number): void {
  dst.fill(value);
}

/** The js backend's values always are on the host: its own array. */
export function read(a: Float32Array): Float32Array {
  return a;
}
