import { describe, expect, it } from 'vitest';
import { fromHost } from '../../src/backend/storage';
// The js kernels with their WebAssembly paths, as src/backend composes them.
import '../../src/backend';
import { BINARY_OPS, KERNEL_NAMES, listBackends, REDUCE_OPS, UNARY_OPS } from '../../src/backend';
import { jsKernels } from '../../src/backend/js';
import { HOST_FALLBACKS, deviceKernels } from '../../src/backend/gpu/device-kernels';
import { deviceKernelSources } from '../../src/backend/gpu/wgsl/kernels';
import { kernelProviders } from '../../src/backend/registry';
import type { DeviceLink, Residency } from '../../src/backend/gpu/resident';

/** Every kernel and op name is declared once (backend/kernels.ts); each backend and mode covers all of them. */
describe('one source of names', () => {
  it('every registered backend provides every kernel, itself or through its declared parent', () => {
    expect(listBackends()).toEqual(['js', 'gpu']);
    for (const b of listBackends()) {
      const providers = kernelProviders(b);
      for (const k of KERNEL_NAMES) expect([b, 'js'], `${b}.${k}`).toContain(providers[k]);
    }
    expect(Object.values(kernelProviders('js')).every((p) => p === 'js')).toBe(true);
    // gpu.js modes run these on their own kernels; the rest are js's, declared by `parent: 'js'`.
    const own = KERNEL_NAMES.filter((k) => kernelProviders('gpu')[k] === 'gpu');
    expect(own).toEqual(['matmul', 'batchNormStats', 'batchNormForward', 'batchNormBackward', 'release']);
  });

  it('the js backend implements every kernel and every op', () => {
    expect(Object.keys(jsKernels).sort()).toEqual([...KERNEL_NAMES].sort());
    const x = fromHost(Float32Array.of(-2, -0, 0.5, 3));
    for (const op of UNARY_OPS) expect(jsKernels.unary(op, x).length, op).toBe(4);
    for (const op of BINARY_OPS) expect(jsKernels.binary(op, x, [4], x, [4], [4]).length, op).toBe(4);
    for (const op of REDUCE_OPS) expect(jsKernels.reduce(op, x, [4], [0]).length, op).toBe(1);
  });

  it('webgpu mode runs every kernel and op on the device, or declares its host fallback', () => {
    const table = deviceKernels({} as Residency, {} as DeviceLink);
    expect(Object.keys(table).sort()).toEqual([...KERNEL_NAMES].sort());
    const sources = deviceKernelSources();
    for (const op of UNARY_OPS) if (op !== 'copy') expect(sources, `unary ${op}`).toHaveProperty([`unary:${op}`]);
    for (const op of BINARY_OPS) {
      if ((HOST_FALLBACKS.binary as readonly string[]).includes(op)) continue;
      expect(sources, `binary ${op}`).toHaveProperty([`binary:${op}:same`]);
      expect(sources, `binary ${op}`).toHaveProperty([`binary:${op}:bcast`]);
    }
    for (const op of REDUCE_OPS)
      expect(op === 'sum' || (HOST_FALLBACKS.reduce as readonly string[]).includes(op), `reduce ${op}`).toBe(true);
    // The declared fallbacks name real kernels and ops.
    for (const k of HOST_FALLBACKS.kernels) expect(KERNEL_NAMES).toContain(k);
    for (const op of HOST_FALLBACKS.binary) expect(BINARY_OPS).toContain(op);
  });
});
