/**
 * A tiny WebAssembly binary writer: enough of the format to hand-assemble the
 * SIMD matmul module without an external toolchain (no wat2wasm, no emscripten).
 *
 * `Code` appends instructions as bytes; `moduleBytes` wraps functions that all
 * take i32 parameters and return nothing, importing one shared memory `env.mem`.
 * Opcodes follow the WebAssembly core spec (SIMD ops are 0xFD + LEB128 index).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Instruction stream of one function body. Locals are numbered params first. */
export class Code {
  readonly bytes: number[] = [];
  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private simd(index: number, ...rest: number[]): this {
    return this.op(0xfd, ...uleb(index), ...rest);
  }

  get(i: number) {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number) {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number) {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number) {
    return this.op(0x41, ...sleb(v | 0));
  }
  f32(v: number) {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add() {
    return this.op(0x6a);
  }
  sub() {
    return this.op(0x6b);
  }
  mul() {
    return this.op(0x6c);
  }
  ltS() {
    return this.op(0x48);
  }
  and_() {
    return this.op(0x71);
  }
  geS() {
    return this.op(0x4e);
  }
  eq() {
    return this.op(0x46);
  }
  eqz() {
    return this.op(0x45);
  }
  select() {
    return this.op(0x1b);
  }
  drop() {
    return this.op(0x1a);
  }
  block() {
    return this.op(0x02, 0x40);
  }
  loop() {
    return this.op(0x03, 0x40);
  }
  if_() {
    return this.op(0x04, 0x40);
  }
  else_() {
    return this.op(0x05);
  }
  end() {
    return this.op(0x0b);
  }
  br(depth: number) {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number) {
    return this.op(0x0d, ...uleb(depth));
  }
  f32Load(offset = 0) {
    return this.op(0x2a, 2, ...uleb(offset));
  }
  f32Store(offset = 0) {
    return this.op(0x38, 2, ...uleb(offset));
  }
  v128Load(offset = 0) {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128Load32Splat(offset = 0) {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  /** Loads one f64 (8 bytes) into both lanes. */
  v128Load64Splat(offset = 0) {
    return this.simd(0x0a, 3, ...uleb(offset));
  }
  v128Store(offset = 0) {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  v128Zero() {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  /** Loads 8 bytes (two f32) into the low half, zeroing the rest. */
  v128Load64Zero(offset = 0) {
    return this.simd(0x5d, 3, ...uleb(offset));
  }
  /** Stores the low 8 bytes (lane 0 as i64). */
  v128Store64Lane0(offset = 0) {
    return this.simd(0x5b, 3, ...uleb(offset), 0);
  }
  f64x2PromoteLowF32x4() {
    return this.simd(0x5f);
  }
  f32x4DemoteF64x2Zero() {
    return this.simd(0x5e);
  }
  f64x2Add() {
    return this.simd(0xf0);
  }
  f64x2Sub() {
    return this.simd(0xf1);
  }
  f64x2Mul() {
    return this.simd(0xf2);
  }
  f32x4Add() {
    return this.simd(0xe4);
  }
  f32x4Sub() {
    return this.simd(0xe5);
  }
  f32x4Div() {
    return this.simd(0xe7);
  }
  f32x4Neg() {
    return this.simd(0xe1);
  }
  /** Lane mask: all ones where a > b (false for NaN). */
  f32x4Gt() {
    return this.simd(0x44);
  }
  /** Lane mask: all ones where a < b (false for NaN). */
  f32x4Lt() {
    return this.simd(0x43);
  }
  /** Lane mask: all ones where a <= b (false for NaN). */
  f32x4Le() {
    return this.simd(0x45);
  }
  v128And() {
    return this.simd(0x4e);
  }
  /** a & ~b for a, b on the stack. */
  v128AndNot() {
    return this.simd(0x4f);
  }
  /** (v1 & c) | (v2 & ~c) for v1, v2, c on the stack. */
  v128Bitselect() {
    return this.simd(0x52);
  }
  f32x4Splat() {
    return this.simd(0x13);
  }
  f32x4Mul() {
    return this.simd(0xe6);
  }
  /** i8x16.shuffle by float lanes: lanes 0-3 from the first operand, 4-7 from the second. */
  f32x4Shuffle(l0: number, l1: number, l2: number, l3: number) {
    return this.simd(0x0d, ...[l0, l1, l2, l3].flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  /** Relaxed SIMD a * b + c (fused where the CPU has FMA). */
  f32x4RelaxedMadd() {
    return this.simd(0x105);
  }
  /** local[i] += delta (i32). */
  inc(i: number, delta: number | (() => void)) {
    this.get(i);
    if (typeof delta === 'number') this.i32(delta);
    else delta();
    return this.add().set(i);
  }
  /**
   * for (local[i] = start; local[i] < end; local[i] += step) body
   * (signed compare; `start` and `end` push values, `end` is re-evaluated each turn).
   */
  for(i: number, start: () => void, end: () => void, step: number, body: () => void) {
    start();
    this.set(i).block().loop();
    this.get(i);
    end();
    this.geS().brIf(1);
    body();
    this.inc(i, step).br(0).end().end();
    return this;
  }
}

export interface FuncDef {
  name: string;
  params: number;
  /** Extra locals as [count, type] groups. */
  locals: [number, number][];
  code: Code;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

/** A module importing memory env.mem (min/max pages; shared unless `shared` is false) and exporting `funcs`. */
export function moduleBytes(funcs: FuncDef[], minPages: number, maxPages: number, shared = true): Uint8Array {
  const types = funcs.map((f) => [0x60, ...uleb(f.params), ...new Array<number>(f.params).fill(I32), 0]);
  const imports = vec([
    [...str('env'), ...str('mem'), 0x02, shared ? 0x03 : 0x01, ...uleb(minPages), ...uleb(maxPages)],
  ]);
  const fnSec = vec(funcs.map((_, i) => uleb(i)));
  const exportSec = vec(funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]));
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, fnSec),
    ...section(7, exportSec),
    ...section(10, vec(bodies)),
  ]);
}
