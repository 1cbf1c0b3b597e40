/**
 * reduceSum on the device: compensated sums (common.ts WGSL_SUMS), so a sum
 * of M values is within a few roundings of the exact one.
 *
 * The input's axes are grouped (reducePlan) into at most 4 kept and 4 reduced
 * dims; output o and reduction index r map to X[kept(o) + red(r)]. Two layouts:
 * - 'wg': a workgroup of 256 threads per output (per part of one: see
 *   `parts`), each thread summing every 256th r, then a tree: for sums along
 *   the innermost axis and full reductions;
 * - 'col': 64 outputs per workgroup, 4 threads each: for sums over outer axes
 *   with a contiguous innermost kept axis ([256, 256] over axis 0: neighbouring
 *   threads read neighbouring columns).
 * Long sums into few outputs run in two passes: 'wg' with `parts` workgroups
 * per output, each writing its (sum, error) pair into a scratch buffer, then
 * 'wg' over the pairs (so the partial sums lose nothing to rounding).
 */
import { KernelSource, WG, WGSL_SPECIALS, WGSL_SUMS, wgslTree } from './common';

export const REDUCE_PARAMS = [
  'struct Params { outCount : u32, r : u32, parts : u32, nKept : u32, nRed : u32, zero : u32, pairs : u32, p2 : u32,',
  '  kd : vec4<u32>, ks : vec4<u32>, rd : vec4<u32>, rs : vec4<u32> }',
].join('\n');

/**
 * REDUCE_PARAMS (elementwise.ts's packers: u is the u32 view of the parameter slots, w the first word);
 * pairs: 'wg' writes each sum as its (sum, error) pair, Y[2g] and Y[2g + 1] (a first pass's partial sums).
 */
export function packReduce(
  u: Uint32Array,
  w: number,
  outCount: number,
  r: number,
  parts: number,
  kd: number[],
  ks: number[],
  rd: number[],
  rs: number[],
  pairs: boolean,
): void {
  u[w] = outCount;
  u[w + 1] = r;
  u[w + 2] = parts;
  u[w + 3] = kd.length;
  u[w + 4] = rd.length;
  u[w + 5] = 0; // zero (common.ts WGSL_SUMS)
  u[w + 6] = pairs ? 1 : 0;
  for (let g = 0; g < kd.length; g++) {
    u[w + 8 + g] = kd[g];
    u[w + 12 + g] = ks[g];
  }
  for (let g = 0; g < rd.length; g++) {
    u[w + 16 + g] = rd[g];
    u[w + 20 + g] = rs[g];
  }
}

/**
 * fn name(o): the offset of flat index o over up to 4 grouped dims (innermost last), with
 * P[count] of them, sizes P[dims] and strides P[strides]: one for the kept dims, one for the reduced.
 */
const offsetFn = (name: string, count: string, dims: string, strides: string) => `
fn ${name}(o : u32) -> u32 {
  var rem = o;
  var off = 0u;
  for (var g = i32(P.${count}) - 1; g >= 0; g = g - 1) {
    off = off + (rem % P.${dims}[g]) * P.${strides}[g];
    rem = rem / P.${dims}[g];
  }
  return off;
}`;
const OFFSETS = offsetFn('keptOffset', 'nKept', 'kd', 'ks') + offsetFn('redOffset', 'nRed', 'rd', 'rs');

/** The strided accumulation loop over r = start, start + step, ... < P.r; one stride when one reduced dim. */
function sumLoop(start: string, step: string): string[] {
  return [
    '  var acc = vec2<f32>(0.0);',
    '  if (P.nRed == 1u) {',
    '    let st = P.rs[0];',
    `    for (var r = ${start}; r < P.r; r = r + ${step}) { acc = rx_add(acc, X[base + r * st]); }`,
    '  } else {',
    `    for (var r = ${start}; r < P.r; r = r + ${step}) { acc = rx_add(acc, X[base + redOffset(r)]); }`,
    '  }',
  ];
}

export function reduceSource(variant: 'wg' | 'col'): KernelSource {
  const head = [
    `// rxnn-wgsl reduceSum ${variant}`,
    WGSL_SPECIALS,
    WGSL_SUMS,
    REDUCE_PARAMS,
    '@group(0) @binding(0) var<storage, read> X : array<f32>;',
    '@group(0) @binding(1) var<storage, read_write> Y : array<f32>;',
    '@group(0) @binding(2) var<uniform> P : Params;',
    OFFSETS,
  ];
  const body =
    variant === 'wg'
      ? [
          `var<workgroup> shS : array<vec2<f32>, ${WG}>;`,
          `@compute @workgroup_size(${WG})`,
          'fn main(@builtin(local_invocation_index) t : u32, @builtin(workgroup_id) wid : vec3<u32>,',
          '        @builtin(num_workgroups) nwg : vec3<u32>) {',
          // Group g sums part g % parts of output g / parts into Y[g].
          '  let g = wid.y * nwg.x + wid.x;',
          '  if (g >= P.outCount * P.parts) { return; }',
          '  let o = g / P.parts;',
          '  let base = keptOffset(o);',
          ...sumLoop(`(g - o * P.parts) * ${WG}u + t`, `${WG}u * P.parts`),
          wgslTree('S', 'acc'),
          '  if (t == 0u) {',
          '    if (P.pairs != 0u) { Y[2u * g] = shS[0].x; Y[2u * g + 1u] = shS[0].y; } else { Y[g] = rx_total(shS[0]); }',
          '  }',
          '}',
        ]
      : [
          `var<workgroup> shS : array<vec2<f32>, ${WG}>;`,
          '@compute @workgroup_size(64, 4)',
          'fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>,',
          '        @builtin(num_workgroups) nwg : vec3<u32>) {',
          '  let g = wid.y * nwg.x + wid.x;',
          '  if (g * 64u >= P.outCount) { return; }',
          '  let o = g * 64u + lid.x;',
          '  let t = lid.y * 64u + lid.x;',
          '  let valid = o < P.outCount;',
          '  var base = 0u;',
          '  if (valid) { base = keptOffset(o); }',
          ...sumLoop('select(P.r, lid.y, valid)', '4u'),
          '  shS[t] = acc;',
          '  workgroupBarrier();',
          '  if (lid.y < 2u) { shS[t] = rx_add2(shS[t], shS[t + 128u]); }',
          '  workgroupBarrier();',
          '  if (lid.y == 0u && valid) { Y[o] = rx_total(rx_add2(shS[t], shS[t + 64u])); }',
          '}',
        ];
  return { bindings: 'rwu', wgsl: [...head, ...body].join('\n') };
}

export interface ReducePlan {
  outCount: number;
  /** Values summed into each output. */
  r: number;
  keptDims: number[];
  keptStrides: number[];
  redDims: number[];
  redStrides: number[];
  variant: 'wg' | 'col';
  /** Workgroups per output in a first 'wg' pass (1: one pass). */
  parts: number;
}

/**
 * The sum of `shape` over the sorted distinct `axes` as grouped dims: size-1
 * axes dropped, neighbouring axes of the same kind (kept or reduced) merged
 * into one (row-major, so the merged stride is the innermost one's); at most
 * 4 of each kind for rank <= 8. Chooses the layout: 'col' when the sums are
 * too short to be worth a workgroup each (r < 256), or the innermost dim is
 * kept and there are at least 64 outputs; else 'wg', in `parts` per output
 * when a few outputs have long sums (about 4096 values per workgroup, up to
 * ~512 workgroups).
 */
export function reducePlan(shape: readonly number[], axes: readonly number[]): ReducePlan {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const keptDims: number[] = [],
    keptStrides: number[] = [],
    redDims: number[] = [],
    redStrides: number[] = [];
  let outCount = 1,
    r = 1,
    last = '';
  for (let i = 0; i < shape.length; i++) {
    const reduced = axes.indexOf(i) >= 0;
    if (reduced) r *= shape[i];
    else outCount *= shape[i];
    if (shape[i] === 1) continue;
    const dims = reduced ? redDims : keptDims,
      st = reduced ? redStrides : keptStrides;
    const kind = reduced ? 'r' : 'k';
    if (kind === last) {
      dims[dims.length - 1] *= shape[i];
      st[st.length - 1] = strides[i];
    } else {
      dims.push(shape[i]);
      st.push(strides[i]);
    }
    last = kind;
  }
  const innerKept = last === 'k';
  const variant = r < 256 || (innerKept && outCount >= 64) ? 'col' : 'wg';
  let parts = 1;
  if (variant === 'wg' && outCount < 256 && r >= 8192) {
    parts = Math.max(1, Math.min(Math.ceil(r / 4096), Math.floor(512 / outCount)));
  }
  return { outCount, r, keptDims, keptStrides, redDims, redStrides, variant, parts };
}
