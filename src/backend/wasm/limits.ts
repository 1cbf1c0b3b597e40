/**
 * The largest tensor (elements) that the elementwise, BatchNorm, sum and SGD
 * wasm paths take. Their memories grow to the largest operands seen and are
 * never shrunk (WebAssembly cannot), so this bounds what they keep: about
 * 3 x 4 x 2^22 bytes = 48 MiB each at most. Larger tensors use the js loops,
 * where a pass over 16 MiB costs far more than the call overhead anyway.
 * The matmul (gemm.ts) has its own 2 GiB cap: it needs its operands resident.
 */
export const WASM_MAX_ELEMENTS = 1 << 22;
