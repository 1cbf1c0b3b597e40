import { adaptHostKernels } from '../host-kernels';
import type { HostKernels, Kernels } from '../kernels';
import { BackendInfo, registerBackend, registerKernel } from '../registry';
import { GPU_MODES, GpuMode, describeModes, probeMode, runnableModes } from './modes';
import { batchNormBackward, batchNormForward, batchNormStats, matmul, setRunner } from './ops';
import { InProcessRunner, Runner } from './runner';
import { BridgeRunner, webgpuBridge } from './webgpu';
import { deviceKernels } from './device-kernels';
import type { Residency } from './resident';

/**
 * Backend 'gpu': gpu.js kernels for matmul and BatchNorm (and a release that
 * keeps nothing); every other kernel comes from its parent 'js' (declared, not
 * a silent fallback). In webgpu mode every kernel runs on the device instead and
 * tensors stay there between kernels (device-kernels.ts, resident.ts).
 *
 *   setBackend('gpu')                      best mode that runs here: webgpu, headlessgl, webasm, cpu
 *   setBackend('gpu', { mode: 'webasm' })  exactly that mode, or an error saying why not and what runs
 *
 * getBackend() then reports { name: 'gpu', mode }, and in webgpu mode the adapter as `device`.
 */
export interface GpuOptions {
  mode?: GpuMode | 'auto';
}

const runners = new Map<GpuMode, Runner>();
function runnerFor(mode: GpuMode): Runner {
  let r = runners.get(mode);
  if (!r) {
    if (mode === 'webgpu') {
      const { runner, probe } = webgpuBridge();
      if (!runner) throw new Error(probe.why);
      r = runner;
    } else {
      r = new InProcessRunner(mode);
    }
    runners.set(mode, r);
  }
  return r;
}

function setup(options: GpuOptions | undefined): BackendInfo {
  const asked = options?.mode ?? 'auto';
  let mode: GpuMode;
  if (asked === 'auto') {
    const modes = runnableModes();
    if (!modes.length) throw new Error(`setBackend('gpu'): no gpu.js mode runs here (${describeModes()})`);
    mode = modes[0];
  } else if ((GPU_MODES as readonly string[]).includes(asked)) {
    mode = asked;
    const p = probeMode(mode);
    if (!p.ok) {
      throw new Error(
        `setBackend('gpu', { mode: '${mode}' }): ${mode} cannot run here: ${p.why}. ` +
          `Modes that run here: ${runnableModes().join(', ') || 'none'}`,
      );
    }
  } else {
    throw new Error(
      `setBackend('gpu'): unknown mode '${String(asked)}'; expected 'auto' or one of ${GPU_MODES.join(', ')}`,
    );
  }
  const runner = runnerFor(mode);
  setRunner(runner);
  const device = runner instanceof BridgeRunner && runner.adapter ? runner.adapter : undefined;
  return device ? { name: 'gpu', mode, device } : { name: 'gpu', mode };
}

/** The resident bridge of the active mode, if it keeps tensors on its device (webgpu). */
function residentRunner(info: BackendInfo): BridgeRunner | null {
  const r = info.mode ? runners.get(info.mode as GpuMode) : undefined;
  return r instanceof BridgeRunner && r.residency ? r : null;
}
const deviceTables = new WeakMap<BridgeRunner, Kernels>();

registerBackend<GpuOptions>({
  name: 'gpu',
  parent: 'js',
  modes: ['auto', ...GPU_MODES],
  setup,
  // webgpu: every kernel on the device, tensors resident there (device-kernels.ts).
  modeKernels(info) {
    const r = residentRunner(info);
    if (!r) return undefined;
    let table = deviceTables.get(r);
    if (!table) deviceTables.set(r, (table = deviceKernels(r.residency as Residency, r.link)));
    return table;
  },
  // Leaving webgpu (for js or another mode): every value on the device comes back first.
  deactivate(info) {
    residentRunner(info)?.residency?.drain();
  },
});
/**
 * The engine's recycling hint is ignored here: this backend's own results are arrays that
 * gpu.js (or the webgpu bridge) allocates per call, and keeping them out of the js kernels'
 * pool (js/pool.ts) keeps the two allocators apart. The js kernels it inherits then simply allocate.
 */
const release: HostKernels['release'] = () => undefined;
const own = adaptHostKernels({ matmul, batchNormStats, batchNormForward, batchNormBackward, release });
for (const [name, fn] of Object.entries(own)) registerKernel(name as keyof Kernels, 'gpu', fn as never);

export { GPU_MODES, describeModes, runnableModes } from './modes';
export type { GpuMode } from './modes';
export { activeRunner } from './ops';
