// Registers the js and gpu backends; RXNN_BACKEND is applied at the first kernel call (registry.ts).
import './js';
import './gpu';
import { installSimd } from './js/simd';
import { bnBackwardRows, bnForwardRows, bnStatsRows, colSumRows } from './wasm/bn';
import { WASM_BINARY, WASM_UNARY, wasmBinary, wasmUnary } from './wasm/elementwise';
import { gemm } from './wasm/gemm';
import { WASM_MAX_ELEMENTS } from './wasm/limits';
import { wasmSgdPlain } from './wasm/sgd';

// The js backend's large operands go to the WebAssembly SIMD kernels (js/ does not import wasm/).
installSimd({
  maxElements: WASM_MAX_ELEMENTS,
  unaryOps: WASM_UNARY,
  binaryOps: WASM_BINARY,
  unary: wasmUnary,
  binary: wasmBinary,
  gemm,
  colSumRows,
  bnStatsRows,
  bnForwardRows,
  bnBackwardRows,
  sgdPlain: wasmSgdPlain,
});

export type { Kernels, KernelName, UnaryOp, BinaryOp, ReduceOp } from './kernels';
export { UNARY_OPS, BINARY_OPS, REDUCE_OPS } from './kernels';
export { K, registerBackend, registerKernel, setBackend, getBackend, listBackends, KERNEL_NAMES } from './registry';
export type { BackendInfo, BackendDefinition } from './registry';
export { availableBackends } from './available';
export type { AvailableBackend } from './available';
export { broadcastShapes, sizeOf, stridesOf } from './shape';
