import type { BinaryOp, UnaryOp } from '../kernels';
import { broadcastIndexer } from '../shape';

const UNARY: Record<UnaryOp, (v: number) => number> = {
  neg: (v) => -v,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  relu: (v) => (v > 0 ? v : 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  gt: (a, b) => (a > b ? 1 : 0),
};

export function unary(op: UnaryOp, x: Float32Array): Float32Array {
  const f = UNARY[op];
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  return out;
}

export function binary(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array,
  bShape: readonly number[], outShape: readonly number[]): Float32Array {
  const f = BINARY[op];
  const size = outShape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  if (a.length === size && b.length === size) {
    for (let i = 0; i < size; i++) out[i] = f(a[i], b[i]);
  } else if (b.length === 1 && a.length === size) {
    const s = b[0];
    for (let i = 0; i < size; i++) out[i] = f(a[i], s);
  } else if (a.length === 1 && b.length === size) {
    const s = a[0];
    for (let i = 0; i < size; i++) out[i] = f(s, b[i]);
  } else {
    const ia = broadcastIndexer(aShape, outShape);
    const ib = broadcastIndexer(bShape, outShape);
    for (let i = 0; i < size; i++) out[i] = f(a[ia(i)], b[ib(i)]);
  }
  return out;
}
