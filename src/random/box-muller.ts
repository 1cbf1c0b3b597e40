/**
 * The two Box-Muller transforms PyTorch 1.13 uses on the CPU.
 *
 * - `normalFill16`: the vectorised path (`normal_fill_16_AVX2`) for 16 or more
 *   contiguous float32 values, all in float32 arithmetic with avx_mathfun's log/sincos.
 * - `boxMullerDouble`: the scalar path (`at::normal_distribution<double>`), in float64,
 *   which yields two normals per pair of uniforms and caches the second.
 */
import { logf, sincosf } from './avx-mathfun';
import { fma32 } from './fma';

const f = Math.fround;
/** `_mm256_set1_ps(2.0f * c10::pi<double>)`: 2 pi in double, rounded to float32. */
const TWO_PI_F32 = f(2 * Math.PI);
const sc = new Float32Array(2);

/**
 * Transform data[o .. o+16) in place. For j in 0..7, with u1 = 1 - data[o+j] (so u1 is
 * in (0, 1], safe for log) and u2 = data[o+j+8]:
 *   r = sqrt(-2 * log(u1)), theta = 2 pi * u2,
 *   data[o+j] = fma(r * cos(theta), std, mean), data[o+j+8] = fma(r * sin(theta), std, mean)
 * each step rounded to float32; `meanF` and `stdF` must already be float32 values.
 */
export function normalFill16(data: Float32Array, o: number, meanF: number, stdF: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[o + j]);
    const u2 = data[o + j + 8];
    const radius = f(Math.sqrt(f(-2 * logf(u1)))); // vsqrtps is correctly rounded, so is this
    sincosf(f(TWO_PI_F32 * u2), sc);
    data[o + j] = fma32(f(radius * sc[1]), stdF, meanF);
    data[o + j + 8] = fma32(f(radius * sc[0]), stdF, meanF);
  }
}

/**
 * One double Box-Muller pair from two float64 uniforms u1, u2 in [0, 1):
 *   r = sqrt(-2 * ln(1 - u2)), theta = 2 pi * u1; returns [r cos(theta), r sin(theta)].
 * PyTorch returns the first and caches the second for the next draw.
 * (Math.log/sin/cos are fdlibm in V8 and glibc's in PyTorch; both are under 1 ulp in
 * double, so after rounding to float32 a difference is vanishingly rare.)
 */
export function boxMullerDouble(u1: number, u2: number): [number, number] {
  const r = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  return [r * Math.cos(theta), r * Math.sin(theta)];
}
