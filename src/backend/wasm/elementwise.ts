import type { BinaryOp, UnaryOp } from '../kernels';
import { Code, FuncDef, I32, V128, moduleBytes } from './asm';
import { take } from '../js/pool';
import { WA, type WasmMemory } from './api';

/**
 * f32x4 loops for the elementwise ops whose float32 result equals the js
 * kernels' float64-then-round result bit for bit: +, -, *, / of two float32
 * values (double rounding is innocuous for one operation), relu, gt and reluGrad as
 * masks (relu keeps NaN and -0 as PyTorch's v < 0 ? 0 : v; gt(NaN, b) = 0; reluGrad
 * is PyTorch's threshold_backward, y <= 0 ? 0 : x), and neg. Large tensors only: operands are copied into
 * the module's memory (padded to whole vectors) and the result copied out.
 * V8 compiles the js loops to about 2 ns per element for mul and 5 ns for
 * relu and gt on random signs (a mispredicted branch each); these run near
 * memory speed.
 *
 * Layouts (b's role; `swap` puts b first: out = b op a):
 *   same    out[i] = a[i] op b[i]
 *   rows    out[i] = a[i] op b[i % inner]       (inner a multiple of 4)
 *   scalar  out[i] = a[i] op b[0]
 */
const BIN: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'gt', 'reluGrad'];
const UN: UnaryOp[] = ['relu', 'neg'];
export const WASM_BINARY = new Set<BinaryOp>(BIN);
export const WASM_UNARY = new Set<UnaryOp>(UN);

/** Pushes op(x, y) for f32x4 operands already on the stack. */
function emitOp(c: Code, op: BinaryOp): void {
  if (op === 'add') c.f32x4Add();
  else if (op === 'sub') c.f32x4Sub();
  else if (op === 'mul') c.f32x4Mul();
  else if (op === 'div') c.f32x4Div();
  else if (op === 'gt') c.f32x4Gt().f32(1).f32x4Splat().v128And();
  else {
    // reluGrad: x & ~(y <= 0), PyTorch's threshold_backward (y <= 0 ? 0 : x; NaN <= 0 is false).
    c.f32(0).f32x4Splat().f32x4Le().v128AndNot();
  }
}

const LAYOUTS = ['same', 'rows', 'scalar'] as const;

/**
 * bin_<op>_<layout>[_swap](a, b, out, n, inner): out = a op b (swap: b op a,
 * with b still the broadcast operand); n a multiple of 4 (callers pad), and
 * for rows `inner` too. j walks b for rows and wraps every `inner` floats.
 */
function binary(op: BinaryOp, layout: (typeof LAYOUTS)[number], swap: boolean): FuncDef {
  const [a, b, out, n, inner] = [0, 1, 2, 3, 4];
  const [i, j, bytes, innerBytes] = [5, 6, 7, 8];
  const vb = 9;
  const c = new Code();
  c.get(n).i32(4).mul().set(bytes);
  c.get(inner).i32(4).mul().set(innerBytes);
  if (layout === 'scalar') c.get(b).v128Load32Splat().set(vb);
  c.i32(0).set(j);
  c.for(
    i,
    () => c.i32(0),
    () => c.get(bytes),
    16,
    () => {
      c.get(out).get(i).add();
      const pushA = () => c.get(a).get(i).add().v128Load();
      const pushB = () => {
        if (layout === 'same') c.get(b).get(i).add().v128Load();
        else if (layout === 'rows') c.get(b).get(j).add().v128Load();
        else c.get(vb);
      };
      if (swap) {
        pushB();
        pushA();
      } else {
        pushA();
        pushB();
      }
      emitOp(c, op);
      c.v128Store();
      if (layout === 'rows') {
        c.inc(j, 16);
        c.get(j).get(innerBytes).geS().if_();
        c.i32(0).set(j);
        c.end();
      }
    },
  );
  return {
    name: `bin_${op}_${layout}${swap ? '_swap' : ''}`,
    params: 5,
    locals: [
      [4, I32],
      [1, V128],
    ],
    code: c,
  };
}

function unary(op: UnaryOp): FuncDef {
  const [x, out, n] = [0, 1, 2];
  const [i, bytes] = [3, 4];
  const c = new Code();
  c.get(n).i32(4).mul().set(bytes);
  c.for(
    i,
    () => c.i32(0),
    () => c.get(bytes),
    16,
    () => {
      c.get(out).get(i).add();
      if (op === 'neg') {
        c.get(x).get(i).add().v128Load().f32x4Neg();
      } else {
        // relu: v & ~(v < 0), PyTorch's (v < 0 ? 0 : v): keeps NaN and -0
        c.get(x).get(i).add().v128Load();
        c.get(x).get(i).add().v128Load().f32(0).f32x4Splat().f32x4Lt();
        c.v128AndNot();
      }
      c.v128Store();
    },
  );
  return { name: `un_${op}`, params: 3, locals: [[2, I32]], code: c };
}

const PAGE = 65536,
  MAX_PAGES = 16384;
let mem: WasmMemory | undefined;
let ex: Record<string, (...a: number[]) => void> | undefined;

function ensure(bytes: number): Float32Array {
  if (!mem) {
    mem = new WA.Memory({ initial: 1, maximum: MAX_PAGES });
    const funcs = BIN.flatMap((op) => LAYOUTS.flatMap((l) => [binary(op, l, false), binary(op, l, true)]));
    ex = new WA.Instance(new WA.Module(moduleBytes([...funcs, ...UN.map(unary)], 1, MAX_PAGES, false)), {
      env: { mem },
    }).exports as Record<string, (...a: number[]) => void>;
  }
  const have = mem.buffer.byteLength;
  if (bytes > have) mem.grow(Math.ceil((bytes - have) / PAGE));
  return new Float32Array(mem.buffer);
}

const pad = (n: number) => Math.ceil(n / 16) * 16;

export function wasmUnary(op: UnaryOp, x: Float32Array): Float32Array {
  const n = x.length,
    n4 = pad(n);
  const f = ensure(8 * n4);
  f.set(x, 0);
  (ex as Record<string, (...a: number[]) => void>)[`un_${op}`](0, 4 * n4, n4);
  const out = take(n);
  out.set(f.subarray(n4, n4 + n));
  return out;
}

/**
 * out = full op other, or other op full when `swap`; `other` is laid out as
 * `layout` against `full` (rows: `inner`, a multiple of 4, floats repeating).
 * The result goes into `into` when given (full's length; it may be `full` itself,
 * which is read before it is written: an in-place update), else into a fresh array.
 */
export function wasmBinary(
  op: BinaryOp,
  full: Float32Array,
  other: Float32Array,
  layout: (typeof LAYOUTS)[number],
  inner: number,
  swap: boolean,
  into?: Float32Array,
): Float32Array {
  const n = full.length,
    n4 = pad(n),
    m4 = pad(other.length);
  const f = ensure(4 * (2 * n4 + m4));
  f.set(full, 0);
  f.set(other, n4);
  (ex as Record<string, (...a: number[]) => void>)[`bin_${op}_${layout}${swap ? '_swap' : ''}`](
    0,
    4 * n4,
    4 * (n4 + m4),
    n4,
    inner,
  );
  const out = into ?? take(n);
  out.set(f.subarray(n4 + m4, n4 + m4 + n));
  return out;
}
