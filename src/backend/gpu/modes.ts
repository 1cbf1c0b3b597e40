import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which gpu.js modes run on this machine, and why the others do not.
 *
 * Each probe compiles and runs a one-line kernel and checks its answer, so a
 * mode is listed only if it really computes here (gpu.js's own `mode: 'gpu'`
 * silently falls back to another backend; we never do). Probes run once per
 * process and are cached. gpu.js itself is loaded on first use (about 0.1 s).
 */
export type GpuMode = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';
/** Preference order of `mode: 'auto'`. */
export const GPU_MODES: readonly GpuMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];

const req = createRequire(__filename);
type GpuJs = typeof import('gpu.js');
let gpuJs: GpuJs | undefined;

/** The optional peer packages the gpu backend loads on demand, with the versions rxnn is tested with. */
export const OPTIONAL_PACKAGES = { 'gpu.js': '2.24.1', webgpu: '0.6.2' } as const;

/** The error for an optional package that is not installed: says what to install. */
export function notInstalled(name: keyof typeof OPTIONAL_PACKAGES, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'MODULE_NOT_FOUND') return err instanceof Error ? err : new Error(String(err));
  return new Error(
    `the gpu backend needs the optional package '${name}', which is not installed: ` +
      `npm install ${name}@${OPTIONAL_PACKAGES[name]}`,
  );
}

/**
 * gpu.js, loaded on first use; an error naming the install command when it is missing.
 * @internal (its type names the optional package, which a user's type check may not have)
 */
export function loadGpuJs(): GpuJs {
  try {
    return (gpuJs ??= req('gpu.js') as GpuJs);
  } catch (e) {
    throw notInstalled('gpu.js', e);
  }
}

export interface ModeProbe {
  mode: GpuMode;
  ok: boolean;
  why: string;
}

const probes = new Map<GpuMode, ModeProbe>();
/** webgpu.ts registers its prober here (it starts a worker; see there). */
let webgpuProber: (() => ModeProbe) | undefined;
export function registerWebGPUProber(f: () => ModeProbe): void {
  webgpuProber = f;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}

/** Runs out[i] = a[i] * 2 + 1 on `mode` and checks the answer. */
function smokeTest(mode: 'headlessgl' | 'webasm' | 'cpu'): ModeProbe {
  try {
    const { GPU } = loadGpuJs();
    const gpu = new GPU({ mode });
    const k = gpu.createKernel(
      function (this: { thread: { x: number } }, a: number[]) {
        return a[this.thread.x] * 2 + 1;
      },
      { output: [3], precision: 'single' },
    );
    const r = k(new Float32Array([1, 2, 3])) as Float32Array;
    const ok = r.length === 3 && r[0] === 3 && r[1] === 5 && r[2] === 7;
    void gpu.destroy(); // gpu.js resolves it once its contexts are released; nothing waits on that
    return { mode, ok, why: ok ? 'ok' : `a test kernel answered [${Array.from(r).join(', ')}] instead of [3, 5, 7]` };
  } catch (e) {
    return { mode, ok: false, why: firstLine(e) };
  }
}

function probeHeadlessGL(): ModeProbe {
  try {
    req('gl');
  } catch (e) {
    return {
      mode: 'headlessgl',
      ok: false,
      why:
        `the optional 'gl' package does not load (${firstLine(e)}); it needs building with ` +
        'libxi-dev libglu1-mesa-dev libglew-dev pkg-config and an X server (xvfb-run)',
    };
  }
  return smokeTest('headlessgl');
}

/** Library folders where Linux keeps the Vulkan loader, after LD_LIBRARY_PATH. */
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib64',
  '/lib',
  '/usr/local/lib',
];

/**
 * Whether Dawn (webgpu mode) would find a Vulkan loader: elsewhere than Linux it uses Metal or
 * Direct3D; on Linux without libvulkan.so.1 it prints a warning when loaded and finds no adapter,
 * so the webgpu probe answers without loading it.
 */
export function vulkanLoaderFound(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (platform !== 'linux') return true;
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** Why Dawn's binding cannot load, checked synchronously (the package itself is ESM). */
export function dawnLoadError(): string | null {
  let dir: string;
  try {
    dir = join(req.resolve('webgpu/package.json'), '..', 'dist');
  } catch (e) {
    return notInstalled('webgpu', e).message;
  }
  try {
    // webgpu 0.6 keeps one folder per platform (dist/linux-x64/dawn.node); 0.2 had dist/linux-x64.dawn.node.
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    const paths = [
      join(dir, `${process.platform}-${arch}`, 'dawn.node'),
      join(dir, `${process.platform}-${arch}.dawn.node`),
    ];
    const found = paths.find((p) => existsSync(p));
    if (!found) return `no Dawn binary for ${process.platform}-${arch} in ${dir}`;
    req(found);
    return null;
  } catch (e) {
    return firstLine(e);
  }
}

export function probeMode(mode: GpuMode): ModeProbe {
  let p = probes.get(mode);
  if (!p) {
    if (mode === 'webgpu' && !vulkanLoaderFound()) {
      p = {
        mode,
        ok: false,
        why: 'no Vulkan loader (libvulkan.so.1) on this machine: install libvulkan1 and a Vulkan driver (e.g. mesa-vulkan-drivers)',
      };
    } else if (mode === 'webgpu')
      p = webgpuProber ? webgpuProber() : { mode, ok: false, why: 'webgpu support not loaded' };
    else p = mode === 'headlessgl' ? probeHeadlessGL() : smokeTest(mode);
    probes.set(mode, p);
  }
  return p;
}

/** Modes that run here, in preference order. */
export function runnableModes(): GpuMode[] {
  return GPU_MODES.filter((m) => probeMode(m).ok);
}

/** One line per mode: whether it runs here and why not. */
export function describeModes(): string {
  return GPU_MODES.map((m) => {
    const p = probeMode(m);
    return `${m}: ${p.ok ? 'runs here' : `unavailable (${p.why})`}`;
  }).join('; ');
}
