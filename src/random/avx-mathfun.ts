/**
 * float32 log and sincos exactly as PyTorch 1.13's AVX2 CPU kernel computes them for
 * `randn` / `normal_` on 16 or more contiguous floats (`normal_fill_16_AVX2`).
 *
 * Why not SLEEF or Math.log: that kernel calls `log256_ps` and `sincos256_ps` from
 * ATen/native/cpu/avx_mathfun.h (Giovanni Garberoglio's AVX port of Julien Pommier's
 * sse_mathfun, zlib licence: the Cephes single-precision polynomials). Their results
 * differ from correctly rounded values by an ulp or two, so matching PyTorch bit for bit
 * means running the same polynomials in the same order with the same roundings.
 *
 * GCC built that kernel with -mfma and contracted several `mul` + `add` intrinsic pairs
 * into single-rounding FMAs. Which ones was read from the disassembly of Debian's
 * libtorch_cpu.so.1.13 (both inlined copies agree); each `fma32(...)` below marks one
 * `vfmadd`/`vfmsub`/`vfnmadd`, every other operation rounds to float32 on its own
 * (Math.fround, `f` below). The lane-wise code is written per scalar.
 */
import { fma32 } from './fma';

const f = Math.fround;
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

// log256_ps constants (Cephes logf), as float32.
const MIN_NORM_POS = 2 ** -126;
const SQRTHF = f(0.7071067811865476); // Cephes: 0.707106781186547524;
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = 0.693359375;

/**
 * Natural log of a positive float32, as `log256_ps`. With x = m * 2^e, m in [0.5, 1)
 * (and m -> 2m, e -> e - 1 when m < sqrt(1/2)), t = m - 1:
 *   y = t * P(t) (P by Horner, 8 FMAs), z = t * t,
 *   log = fma(e, Q2, t + (fma(y, z, e * Q1) - z / 2))
 * where Q1 + Q2 = ln 2 split in two (Cody-Waite). Returns NaN for x <= 0.
 */
export function logf(v: number): number {
  if (!(v > 0)) return NaN;
  F32[0] = v < MIN_NORM_POS ? MIN_NORM_POS : v;
  const bits = I32[0];
  let e = (bits >>> 23) - 127 + 1; // cvtdq2ps(exponent - 127) + 1, exact
  I32[0] = (bits & ~0x7f800000) | 0x3f000000; // keep the mantissa, exponent of 0.5
  let x = F32[0];
  let tmp = 0;
  if (x < SQRTHF) {
    e -= 1;
    tmp = x;
  }
  x = f(x - 1);
  x = f(tmp + x);
  let y = LOG_P[0];
  for (let k = 1; k < 9; k++) y = fma32(y, x, LOG_P[k]);
  const z = f(x * x);
  y = f(x * y);
  y = fma32(y, z, f(e * LOG_Q1));
  y = f(y - z * 0.5); // vfnmadd: z * 0.5 is exact, so one rounding either way
  x = f(x + y);
  return fma32(e, LOG_Q2, x);
}

// sincos256_ps constants (Cephes sinf/cosf), as float32.
const FOPI = f(1.27323954473516); // 4 / pi
const MINUS_DP1 = -0.78515625; // -(pi/4) in three parts (extended-precision reduction)
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.774894977445941e-8); // Cephes: -3.77489497744594108e-8;
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

/**
 * sin and cos of a float32, as `sincos256_ps`; writes out[0] = sin, out[1] = cos.
 * j = (trunc(|x| * 4/pi) + 1) & ~1 picks the octant pair; r = |x| - j * pi/4 (pi/4 in
 * three parts, three FMAs), z = r * r; on [-pi/4, pi/4]:
 *   cos ~ fma(z * fma(z, fma(z, COS_P0, COS_P1), COS_P2), z, -z/2) + 1
 *   sin ~ fma(z * fma(z, fma(SIN_P0, z, SIN_P1), SIN_P2), r, r)
 * (j & 2) != 0 swaps the two polynomials; sin's sign flips when (j & 4) != 0 (xor the
 * sign of x), cos's when ((j - 2) & 4) == 0.
 * Valid for |x| < 8192 (ample: theta is in [0, 2 pi)).
 */
export function sincosf(v: number, out: Float32Array | Float64Array): void {
  const negative = v < 0 || Object.is(v, -0);
  let x = Math.abs(v);
  let j = Math.trunc(f(x * FOPI)) | 0; // cvttps2dq
  j = (j + 1) & ~1;
  const y = j; // cvtdq2ps, exact
  const sinSign = negative !== ((j & 4) !== 0);
  const cosSign = (~(j - 2) & 4) !== 0;
  const polyMask = (j & 2) === 0;
  x = fma32(y, MINUS_DP1, x);
  x = fma32(y, MINUS_DP2, x);
  x = fma32(y, MINUS_DP3, x);
  const z = f(x * x);
  let c = fma32(z, COS_P0, COS_P1);
  c = fma32(z, c, COS_P2);
  c = f(z * c);
  c = fma32(c, z, -(z * 0.5)); // vfmsub
  c = f(c + 1);
  let s = fma32(SIN_P0, z, SIN_P1);
  s = fma32(z, s, SIN_P2);
  s = f(z * s);
  s = fma32(s, x, x);
  // The blend adds +0 to the chosen polynomial (so -0 becomes +0), then xors the sign.
  const sinAbs = polyMask ? s + 0 : c + 0;
  const cosAbs = polyMask ? c + 0 : s + 0;
  out[0] = sinSign ? -sinAbs : sinAbs;
  out[1] = cosSign ? -cosAbs : cosAbs;
}
