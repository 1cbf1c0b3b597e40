// Registers the js and gpu backends, then applies RXNN_BACKEND (env.ts) before any kernel runs.
import './env';

export type { Kernels, KernelName, UnaryOp, BinaryOp, ReduceOp } from './kernels';
export { K, registerBackend, registerKernel, setBackend, getBackend, listBackends, KERNEL_NAMES } from './registry';
export type { BackendInfo, BackendDefinition } from './registry';
export { availableBackends } from './available';
export type { AvailableBackend } from './available';
export { broadcastShapes, sizeOf, stridesOf } from './shape';
