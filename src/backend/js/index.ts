import type { Kernels } from '../kernels';
import { registerBackend, registerKernel } from '../registry';
import { batchNormBackward, batchNormForward, batchNormStats, batchNormUpdateStats } from './batchnorm';
import { accumulate, binary, fill, sync, unary } from './elementwise';
import { gatherRows, permute, scatterAddRows } from './layout';
import { matmul } from './matmul';
import { release } from './pool';
import { reduce, variance } from './reduce';
import { sgdUpdate } from './sgd';

/** The reference backend: plain typed-array loops, every kernel. */
export const jsKernels: Kernels = {
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
  sync,
  release,
};

registerBackend({ name: 'js', setup: () => ({ name: 'js' }) });
for (const [name, fn] of Object.entries(jsKernels)) registerKernel(name as keyof Kernels, 'js', fn as never);
