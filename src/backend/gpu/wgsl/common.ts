/**
 * WGSL pieces shared by the device runtime's kernels (src/backend/gpu/wgsl/*.ts),
 * and the one dispatch-size helper they all use.
 *
 * Generators here run on the main thread only (their output travels to the
 * worker as data), so they may use module constants. The pure helpers that
 * the runtime calls (dispatchGrid here, the plans of the other files) run in
 * the worker too: each references only its arguments, JS built-ins and other
 * such helpers (runtime.ts ships their source text).
 */

/** What the runtime needs to know of a kernel besides its text. */
export interface KernelSource {
  wgsl: string;
  /**
   * One letter per binding, in binding order: 'r' read-only storage, 'w'
   * read-write storage, 'i' read-only storage with a dynamic offset (a per-call
   * slice of the runtime's index buffer), 'u' the uniform parameter block
   * (256 bytes, dynamic offset into the runtime's parameter buffer).
   */
  bindings: string;
}

/** Threads per workgroup of every kernel but matmul (WebGPU's default limit). */
export const WG = 256;

/**
 * The flat thread index of a 1-D kernel laid out on a 2-D grid of 256-thread
 * workgroups (dispatchGrid): `i`, and `P.len` the element count.
 */
export const ELEMENT_MAIN = [
  `@compute @workgroup_size(${WG})`,
  'fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {',
  `  let i = gid.y * nwg.x * ${WG}u + gid.x;`,
  '  if (i >= P.len) { return; }',
].join('\n');

/**
 * NaN and infinity (a NaN literal does not compile: Tint folds constants and
 * rejects it, so the bits go through a variable) and the largest finite f32.
 */
export const WGSL_SPECIALS = `
fn rx_nan() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn rx_inf() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
const RX_MAXF = 0x1.fffffep+127f;
`;

/**
 * exp, log and tanh of Cephes' single-precision library (expf, logf, tanhf:
 * about 1 ulp). WGSL's own exp is only required to be within 3 + 2|x| ulp
 * (lavapipe's was 105 ulp off at |x| = 160) and its log within 2^-21
 * absolutely near 1, far from PyTorch's. Only adds, multiplies and exact
 * scalings: nothing here depends on fma being fused.
 */
export const WGSL_MATH = `${WGSL_SPECIALS}
fn rx_exp(x : f32) -> f32 {
  if (x > 88.72283905206835) { return rx_inf(); }
  if (x < -103.97207708) { return 0.0; }
  // x = n ln2 + r with ln2 = C1 + C2: n * C1 is exact (C1 has 9 bits), so r keeps x's accuracy.
  let n = floor(x * 1.44269504088896341 + 0.5);
  var r = x - n * 0.693359375;
  r = r + n * 2.12194440e-4;
  let z = r * r;
  let p = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1.0;
  // p * 2^n in two steps: one ldexp is only defined up to 2^127, and results below 2^-126 need two.
  let ni = i32(n);
  let h = ni / 2;
  return ldexp(ldexp(p, h), ni - h);
}

fn rx_log(x : f32) -> f32 {
  if (!(x > 0.0)) { return select(rx_nan(), -rx_inf(), x == 0.0); }
  if (x > RX_MAXF) { return x; }
  let fe = frexp(x);
  var m = fe.fract;
  var e = f32(fe.exp);
  // m in [sqrt(1/2), sqrt(2)) - 1; both forms are exact.
  if (m < 0.707106781186547524) { e = e - 1.0; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m
    + 3.3333331174e-1) * m * z;
  y = y - 2.12194440e-4 * e;
  y = y - 0.5 * z;
  return (m + y) + 0.693359375 * e;
}

fn rx_tanh(x : f32) -> f32 {
  let z = abs(x);
  if (z < 0.625) {
    // Below 2^-12, tanh(x) rounds to x (and -0 stays -0).
    if (z < 0.000244140625) { return x; }
    let s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s
      - 3.33332819422e-1) * s * x + x;
  }
  // NaN comes here too, and stays NaN.
  let t = 1.0 - 2.0 / (rx_exp(2.0 * z) + 1.0);
  return select(t, -t, x < 0.0);
}

// 1 / (1 + e^-v) for v >= 0, e^v / (1 + e^v) below: exp never overflows, and small results keep their precision.
fn rx_sigmoid(v : f32) -> f32 {
  let e = rx_exp(-abs(v));
  return select(1.0 / (1.0 + e), e / (1.0 + e), v < 0.0);
}
`;

/**
 * Compensated sums: a thread accumulates (sum, error) with Neumaier's update,
 * and a workgroup combines the pairs with TwoSum, so a sum of M values is
 * within a few f32 roundings of the exact one (not M of them). Infinities
 * are kept (the error terms would turn them into NaN, so a non-finite
 * partial sum drops its error term).
 *
 * WGSL cannot mark arithmetic exact, and shader compilers may simplify it as
 * algebra: Mesa (lavapipe) turns lo - ((s + lo) - s) into 0, which erases every
 * error term. rx_o hides a value from that algebra (its bits OR-ed with
 * P.zero, a uniform word that is always 0 but unknown to the compiler), and
 * each sum an error term is taken from goes through it. The kernel's uniform
 * block must have `zero`.
 */
export const WGSL_SUMS = `
fn rx_o(x : f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) | P.zero); }

fn rx_add(a : vec2<f32>, v : f32) -> vec2<f32> {
  let t = rx_o(a.x + v);
  let c = select((v - t) + a.x, (a.x - t) + v, abs(a.x) >= abs(v));
  if (!(abs(t) <= RX_MAXF)) { return vec2<f32>(t, 0.0); }
  return vec2<f32>(t, a.y + c);
}

fn rx_add2(a : vec2<f32>, b : vec2<f32>) -> vec2<f32> {
  let s = rx_o(a.x + b.x);
  if (!(abs(s) <= RX_MAXF)) { return vec2<f32>(s, 0.0); }
  let bb = rx_o(s - a.x);
  let e = (a.x - (s - bb)) + (b.x - bb);
  let lo = e + a.y + b.y;
  let hi = rx_o(s + lo);
  return vec2<f32>(hi, lo - (hi - s));
}

fn rx_total(a : vec2<f32>) -> f32 {
  if (!(abs(a.x) <= RX_MAXF)) { return a.x; }
  return a.x + a.y;
}
`;

/**
 * A tree over the workgroup's 256 (sum, error) pairs in `shN` (N = name), left
 * in sh<N>[0]; every thread of the workgroup must run it (barriers).
 * `t` is the thread's index, `v` its pair.
 */
export function wgslTree(name: string, v: string): string {
  return [
    `  sh${name}[t] = ${v};`,
    '  workgroupBarrier();',
    `  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {`,
    `    if (t < s) { sh${name}[t] = rx_add2(sh${name}[t], sh${name}[t + s]); }`,
    '    workgroupBarrier();',
    '  }',
  ].join('\n');
}

/**
 * Workgroups for `groups` of work on a grid whose sides are at most
 * maxPerDim (WebGPU's maxComputeWorkgroupsPerDimension, 65535 by default):
 * [x, y] with x * y >= groups; kernels skip the ids past `groups`.
 */
export function dispatchGrid(groups: number, maxPerDim: number): [number, number] {
  if (groups <= 0) return [0, 0];
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x)];
}
