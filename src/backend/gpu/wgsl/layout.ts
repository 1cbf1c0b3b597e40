/**
 * Data-movement kernels of the device runtime: a strided gather (permute,
 * and matmul's k = 0 bias rows) and gatherRows. They move u32 words, never
 * floats, so every value (NaN payloads, -0) arrives bit for bit.
 */
import { ELEMENT_MAIN, KernelSource } from './common';
import { BCAST_PARAMS, LEN_PARAMS } from './elementwise';

/** Y[i] = X[sum_d coord_d(i) * sa[d]] over BCAST_PARAMS's dims (sb unused). */
export function gatherSource(): KernelSource {
  return {
    bindings: 'rwu',
    wgsl: [
      '// rxnn-wgsl gather: Y[i] = X[strided offset of i]',
      BCAST_PARAMS,
      '@group(0) @binding(0) var<storage, read> X : array<u32>;',
      '@group(0) @binding(1) var<storage, read_write> Y : array<u32>;',
      '@group(0) @binding(2) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  var rem = i;',
      '  var src = 0u;',
      '  for (var d = i32(P.rank) - 1; d >= 0; d = d - 1) {',
      '    let size = P.dims[u32(d) >> 2u][u32(d) & 3u];',
      '    src = src + (rem % size) * P.sa[u32(d) >> 2u][u32(d) & 3u];',
      '    rem = rem / size;',
      '  }',
      '  Y[i] = X[src];',
      '}',
    ].join('\n'),
  };
}

/**
 * Out axis i = input axis perm[i], as a gather: the output's dims and the
 * input stride each walks, with size-1 dims dropped and runs of output dims
 * that walk the input contiguously merged (a permute that moves nothing
 * becomes one dim of stride 1). The caller has checked perm.
 */
export function permutePlan(shape: readonly number[], perm: readonly number[]): { dims: number[]; as: number[] } {
  const inStrides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const dims: number[] = [],
    as: number[] = [];
  for (let i = 0; i < perm.length; i++) {
    const size = shape[perm[i]],
      stride = inStrides[perm[i]];
    if (size === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && as[k] === stride * size) {
      dims[k] *= size;
      as[k] = stride;
    } else {
      dims.push(size);
      as.push(stride);
    }
  }
  return { dims, as };
}

/** Y[r * rowSize + j] = X[I[r] * rowSize + j]; I is the call's slice of the runtime's index buffer. */
export function gatherRowsSource(): KernelSource {
  return {
    bindings: 'riwu',
    wgsl: [
      '// rxnn-wgsl gatherRows: Y[r, j] = X[I[r], j], P.n = rowSize',
      LEN_PARAMS,
      '@group(0) @binding(0) var<storage, read> X : array<u32>;',
      '@group(0) @binding(1) var<storage, read> I : array<u32>;',
      '@group(0) @binding(2) var<storage, read_write> Y : array<u32>;',
      '@group(0) @binding(3) var<uniform> P : Params;',
      ELEMENT_MAIN,
      '  let r = i / P.n;',
      '  Y[i] = X[I[r] * P.n + (i - r * P.n)];',
      '}',
    ].join('\n'),
  };
}
