import { adaptHostKernels } from '../host-kernels';
import type { HostKernels, Kernels } from '../kernels';
import { registerBackend, registerKernel } from '../registry';
import { batchNormBackward, batchNormForward, batchNormStats, batchNormUpdateStats } from './batchnorm';
import { accumulate, binary, fill, read, unary } from './elementwise';
import { gatherRows, permute, scatterAddRows } from './layout';
import { matmul } from './matmul';
import { release } from './pool';
import { reduce, variance } from './reduce';
import { sgdUpdate } from './sgd';

/** The reference backend: plain typed-array loops, every kernel, over host arrays. */
export const jsHostKernels: HostKernels = {
  unary,
  binary,
  reduce,
  variance,
  matmul,
  permute,
  gatherRows,
  scatterAddRows,
  batchNormStats,
  batchNormUpdateStats,
  batchNormForward,
  batchNormBackward,
  sgdUpdate,
  accumulate,
  fill,
  read,
  release,
};
/** The same kernels over storages, as the engine calls them. */
export const jsKernels = adaptHostKernels(jsHostKernels) as Kernels;

registerBackend({ name: 'js', setup: () => ({ name: 'js' }) });
for (const [name, fn] of Object.entries(jsKernels)) registerKernel(name as keyof Kernels, 'js', fn as never);
