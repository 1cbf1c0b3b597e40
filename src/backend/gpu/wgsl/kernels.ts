/**
 * The WGSL kernels of the device runtime (runtime.ts), one per engine
 * primitive, by the key the runtime compiles them under:
 *   mm:<transA><transB><vecC>   the tiled matmul of matmul.ts
 *   unary:<op>, binary:<op>:same|bcast, accumulate, fill, biasAdd, sgd, sgdm   (elementwise.ts)
 *   reduce:wg|col                                                          (reduce.ts)
 *   bnStats, bnForward, bnBackward:wg|ew, bnUpdate                         (batchnorm.ts)
 *   gather, gatherRows                                                     (layout.ts)
 * deviceKernelSources() is what the main thread hands the worker (data);
 * the pure plan helpers re-exported here are what the runtime calls to fill
 * the kernels' uniform blocks and size their grids.
 */
import { VARIANT_KEYS, variantOf, wgslMatmulSource } from './matmul';
import { KernelSource } from './common';
import { bnBackwardSource, bnForwardSource, bnStatsSource, bnUpdateSource } from './batchnorm';
import {
  BINARY_OPS,
  UNARY_OPS,
  accumulateSource,
  biasAddSource,
  binarySource,
  fillSource,
  sgdSource,
  unarySource,
} from './elementwise';
import { gatherRowsSource, gatherSource } from './layout';
import { reduceSource } from './reduce';

export type { KernelSource } from './common';
export { dispatchGrid } from './common';
export { packBn, packBnElementwise, packBnUpdate } from './batchnorm';
export { binaryPlan, BINARY_OPS, packBcast, packFill, packLen, packSgd, UNARY_OPS } from './elementwise';
export { permutePlan } from './layout';
export { packReduce, reducePlan, type ReducePlan } from './reduce';

/** The matmul's uniform block (matmul.ts PARAM_FIELDS: m, k, n, tilesM, tilesN) at word w. */
export function packMatmul(u: Uint32Array, w: number, m: number, k: number, n: number): void {
  u[w] = m;
  u[w + 1] = k;
  u[w + 2] = n;
  u[w + 3] = Math.ceil(m / 64);
  u[w + 4] = Math.ceil(n / 64);
}

/** Every kernel's WGSL and binding letters, by key (compiled on first use). */
export function deviceKernelSources(): Record<string, KernelSource> {
  const out: Record<string, KernelSource> = {};
  for (const key of VARIANT_KEYS) out[`mm:${key}`] = { wgsl: wgslMatmulSource(variantOf(key)), bindings: 'rrwu' };
  for (const op of UNARY_OPS) out[`unary:${op}`] = unarySource(op);
  for (const op of BINARY_OPS) {
    out[`binary:${op}:same`] = binarySource(op, 'same');
    out[`binary:${op}:bcast`] = binarySource(op, 'bcast');
  }
  out.accumulate = accumulateSource();
  out.fill = fillSource();
  out.biasAdd = biasAddSource();
  out.sgd = sgdSource(false);
  out.sgdm = sgdSource(true);
  out['reduce:wg'] = reduceSource('wg');
  out['reduce:col'] = reduceSource('col');
  out.bnStats = bnStatsSource();
  out.bnForward = bnForwardSource();
  out['bnBackward:wg'] = bnBackwardSource('wg');
  out['bnBackward:ew'] = bnBackwardSource('ew');
  out.bnUpdate = bnUpdateSource();
  out.gather = gatherSource();
  out.gatherRows = gatherRowsSource();
  return out;
}
