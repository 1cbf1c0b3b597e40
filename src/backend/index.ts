import './js';

export type { Kernels, KernelName, UnaryOp, BinaryOp, ReduceOp } from './kernels';
export { K, registerBackend, registerKernel, setBackend, getBackend, listBackends, KERNEL_NAMES } from './registry';
export type { BackendInfo, BackendDefinition } from './registry';
export { broadcastShapes, sizeOf, stridesOf } from './shape';
