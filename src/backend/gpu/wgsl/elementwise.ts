/**
 * Elementwise kernels of the device runtime: unary ops, broadcasting binary
 * ops, accumulate, fill, matmul's bias rows and SGD. One thread per element
 * (ELEMENT_MAIN); each op's expression is the js backend's
 * (src/backend/js/elementwise.ts, sgd.ts) in float32.
 */
import { BINARY_OPS as ALL_BINARY_OPS, UNARY_OPS as ALL_UNARY_OPS, type BinaryOp, type UnaryOp } from '../../kernels';
import { ELEMENT_MAIN, KernelSource, WGSL_MATH } from './common';

/** The unary ops with a kernel here: all of backend/kernels.ts's but copy (a buffer copy). */
export type DeviceUnaryOp = Exclude<UnaryOp, 'copy'>;
/** DeviceUnaryOp's names, in backend/kernels.ts's order. */
export const UNARY_OPS = ALL_UNARY_OPS.filter((op): op is DeviceUnaryOp => op !== 'copy');
/** The binary ops with a kernel here: all but pow, which runs on the host (device-kernels.ts HOST_FALLBACKS). */
export type DeviceBinaryOp = Exclude<BinaryOp, 'pow'>;
/** DeviceBinaryOp's names, in backend/kernels.ts's order. */
export const BINARY_OPS = ALL_BINARY_OPS.filter((op): op is DeviceBinaryOp => op !== 'pow');

/** WGSL of each unary op on `v`. */
const UNARY_WGSL: Record<DeviceUnaryOp, string> = {
  neg: '-v',
  exp: 'rx_exp(v)',
  log: 'rx_log(v)',
  // WGSL leaves sqrt of a negative indeterminate; JS gives NaN, and sqrt(-0) = -0.
  sqrt: 'select(select(sqrt(v), rx_nan(), v < 0.0), v, v == 0.0)',
  // PyTorch's clamp_min(x, 0): NaN and -0 pass through.
  relu: 'select(v, 0.0, v < 0.0)',
  sigmoid: 'rx_sigmoid(v)',
  tanh: 'rx_tanh(v)',
  // |v|: clears the sign bit (-0 to +0), NaN stays NaN.
  abs: 'abs(v)',
};

const BINARY_WGSL: Record<DeviceBinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  gt: 'select(0.0, 1.0, a > b)',
  // threshold_backward(g, x, 0): x <= 0 ? 0 : g, so a NaN x passes g on.
  reluGrad: 'select(a, 0.0, b <= 0.0)',
};

/** The uniform block of most elementwise kernels: the element count and one more word (packLen). */
export const LEN_PARAMS = 'struct Params { len : u32, n : u32, p0 : u32, p1 : u32 }';

/**
 * The packers below write a kernel's uniform block at word w of the runtime's
 * parameter slots (u and f: u32 and f32 views of the same memory; f rounds
 * to float32), field by field in the order of the WGSL struct next to them.
 */
export function packLen(u: Uint32Array, w: number, len: number, n: number): void {
  u[w] = len;
  u[w + 1] = n;
}

export function unarySource(op: DeviceUnaryOp): KernelSource {
  return {
    bindings: 'rwu',
    wgsl: [
      `// rxnn-wgsl unary ${op}: Y[i] = ${UNARY_WGSL[op]}, v = X[i]`,
      WGSL_MATH,
      LEN_PARAMS,
      '@group(0) @binding(0) var<storage, read> X : array<f32>;',
      '@group(0) @binding(1) var<storage, read_write> Y : array<f32>;',
      '@group(0) @binding(2) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  let v = X[i];',
      `  Y[i] = ${UNARY_WGSL[op]};`,
      '}',
    ].join('\n'),
  };
}

/**
 * The uniform block of a broadcasting kernel (binary 'bcast', and gather in
 * layout.ts with only `sa`): the collapsed output dims (binaryPlan) and each
 * operand's stride per dim (sa for a, sb for b), 0 where it broadcasts; at most 8 dims.
 */
export const BCAST_PARAMS = [
  'struct Params { len : u32, rank : u32, p0 : u32, p1 : u32,',
  '  dims : array<vec4<u32>, 2>, sa : array<vec4<u32>, 2>, sb : array<vec4<u32>, 2> }',
].join('\n');

/** BCAST_PARAMS; sb may be absent (gather). */
export function packBcast(u: Uint32Array, w: number, len: number, dims: number[], sa: number[], sb?: number[]): void {
  u[w] = len;
  u[w + 1] = dims.length;
  for (let d = 0; d < dims.length; d++) {
    u[w + 4 + d] = dims[d];
    u[w + 12 + d] = sa[d];
    if (sb) u[w + 20 + d] = sb[d];
  }
}

/**
 * 'same': a, b and out have one length. 'bcast': out index -> operand
 * indices through BCAST_PARAMS (innermost dim last).
 */
export function binarySource(op: DeviceBinaryOp, variant: 'same' | 'bcast'): KernelSource {
  const head = [
    `// rxnn-wgsl binary ${op} ${variant}: C[i] = ${BINARY_WGSL[op]}`,
    variant === 'same' ? LEN_PARAMS : BCAST_PARAMS,
    '@group(0) @binding(0) var<storage, read> A : array<f32>;',
    '@group(0) @binding(1) var<storage, read> B : array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> C : array<f32>;',
    '@group(0) @binding(3) var<uniform> P : Params;',
    ELEMENT_MAIN,
  ];
  const index =
    variant === 'same'
      ? ['  let a = A[i];', '  let b = B[i];']
      : [
          '  var rem = i;',
          '  var ia = 0u;',
          '  var ib = 0u;',
          '  for (var d = i32(P.rank) - 1; d >= 0; d = d - 1) {',
          '    let q = u32(d) >> 2u;',
          '    let e = u32(d) & 3u;',
          '    let size = P.dims[q][e];',
          '    let c = rem % size;',
          '    rem = rem / size;',
          '    ia = ia + c * P.sa[q][e];',
          '    ib = ib + c * P.sb[q][e];',
          '  }',
          '  let a = A[ia];',
          '  let b = B[ib];',
        ];
  return { bindings: 'rrwu', wgsl: [...head, ...index, `  C[i] = ${BINARY_WGSL[op]};`, '}'].join('\n') };
}

/**
 * NumPy broadcasting of aShape and bShape (right-aligned) to outShape, as
 * dims and per-operand strides, with size-1 output dims dropped and runs of
 * dims that both operands walk contiguously (or both skip) merged: [256, 256]
 * + [256] becomes dims [256, 256], strides [256, 1] and [0, 1]; x + scalar
 * becomes one dim. The caller has checked that the shapes broadcast.
 */
export function binaryPlan(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): { dims: number[]; as: number[]; bs: number[] } {
  const r = outShape.length;
  const strides = (shape: readonly number[]) => {
    const out = new Array<number>(r).fill(0);
    let s = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const j = r - shape.length + i;
      if (shape[i] !== 1) out[j] = s;
      s *= shape[i];
    }
    return out;
  };
  const sa = strides(aShape),
    sb = strides(bShape);
  const dims: number[] = [],
    as: number[] = [],
    bs: number[] = [];
  for (let i = 0; i < r; i++) {
    if (outShape[i] === 1) continue;
    const k = dims.length - 1;
    // Dim i continues dim k when each operand's stride at k is its stride at i times the size of i.
    if (k >= 0 && as[k] === sa[i] * outShape[i] && bs[k] === sb[i] * outShape[i]) {
      dims[k] *= outShape[i];
      as[k] = sa[i];
      bs[k] = sb[i];
    } else {
      dims.push(outShape[i]);
      as.push(sa[i]);
      bs.push(sb[i]);
    }
  }
  return { dims, as, bs };
}

/** D[i] += S[i] in place (PyTorch's add_: 0 + -0 is +0). */
export function accumulateSource(): KernelSource {
  return {
    bindings: 'wru',
    wgsl: [
      '// rxnn-wgsl accumulate: D[i] = D[i] + S[i]',
      LEN_PARAMS,
      '@group(0) @binding(0) var<storage, read_write> D : array<f32>;',
      '@group(0) @binding(1) var<storage, read> S : array<f32>;',
      '@group(0) @binding(2) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  D[i] = D[i] + S[i];',
      '}',
    ].join('\n'),
  };
}

/** LEN_PARAMS with n = the f32 bits of value. */
export function packFill(u: Uint32Array, f: Float32Array, w: number, len: number, value: number): void {
  u[w] = len;
  f[w + 1] = value;
}

/** D[i] = the bits P.n, through u32 so that any f32 (a NaN payload, -0) lands exactly. */
export function fillSource(): KernelSource {
  return {
    bindings: 'wu',
    wgsl: [
      '// rxnn-wgsl fill: D[i] = bits P.n',
      LEN_PARAMS,
      '@group(0) @binding(0) var<storage, read_write> D : array<u32>;',
      '@group(0) @binding(1) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  D[i] = P.n;',
      '}',
    ].join('\n'),
  };
}

/** addmm's row bias after the product, in place: C[i] = f32(C[i] + bias[i % n]). */
export function biasAddSource(): KernelSource {
  return {
    bindings: 'wru',
    wgsl: [
      '// rxnn-wgsl biasAdd: C[i] = C[i] + Bias[i % n]',
      LEN_PARAMS,
      '@group(0) @binding(0) var<storage, read_write> C : array<f32>;',
      '@group(0) @binding(1) var<storage, read> Bias : array<f32>;',
      '@group(0) @binding(2) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  C[i] = C[i] + Bias[i % P.n];',
      '}',
    ].join('\n'),
  };
}

/** SGD's uniform block: flags bit 0 first, bit 1 nesterov; the scalars already rounded to f32. */
export const SGD_PARAMS =
  'struct Params { len : u32, flags : u32, p0 : u32, p1 : u32, lr : f32, wd : f32, mom : f32, keep : f32 }';
export function packSgd(
  u: Uint32Array,
  f: Float32Array,
  w: number,
  len: number,
  flags: number,
  lr: number,
  wd: number,
  mom: number,
  keep: number,
): void {
  u[w] = len;
  u[w + 1] = flags;
  f[w + 4] = lr;
  f[w + 5] = wd;
  f[w + 6] = mom;
  f[w + 7] = keep;
}

/**
 * Kernels.sgdUpdate (src/backend/kernels.ts), one fma per f32(x + y * z) of
 * its rule ('sgdm': with a momentum buffer):
 *   d = wd != 0 ? fma(wd, p, g) : g
 *   buf = first ? d : fma(keep, d, mom * buf);  d = nesterov ? fma(mom, buf, d) : buf   (sgdm)
 *   p = fma(-lr, d, p)
 * WGSL lets fma round its product (lavapipe does); GPUs fuse it, as PyTorch does.
 */
export function sgdSource(momentum: boolean): KernelSource {
  return {
    bindings: momentum ? 'wrwu' : 'wru',
    wgsl: [
      `// rxnn-wgsl sgd${momentum ? ' with momentum buffer' : ''}`,
      SGD_PARAMS,
      '@group(0) @binding(0) var<storage, read_write> Pm : array<f32>;',
      '@group(0) @binding(1) var<storage, read> G : array<f32>;',
      ...(momentum
        ? [
            '@group(0) @binding(2) var<storage, read_write> Buf : array<f32>;',
            '@group(0) @binding(3) var<uniform> P : Params;',
          ]
        : ['@group(0) @binding(2) var<uniform> P : Params;']),
      ELEMENT_MAIN,
      '  let p = Pm[i];',
      '  var d = G[i];',
      // PyTorch adds the decay only when it is non-zero (0 * Inf would be NaN).
      '  if (P.wd != 0.0) { d = fma(P.wd, p, d); }',
      ...(momentum
        ? [
            '  var b = d;',
            '  if ((P.flags & 1u) == 0u) { b = fma(P.keep, d, P.mom * Buf[i]); }',
            '  Buf[i] = b;',
            '  d = select(b, fma(P.mom, b, d), (P.flags & 2u) != 0u);',
          ]
        : []),
      '  Pm[i] = fma(-P.lr, d, p);',
      '}',
    ].join('\n'),
  };
}
