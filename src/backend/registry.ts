import type { KernelName, Kernels } from './kernels';

/**
 * Kernels are registered per (kernel, backend), as in TensorFlow.js, so a
 * backend plugs in without touching the engine. A backend may name a `parent`
 * whose kernels it reuses for the ones it does not register itself (the gpu
 * backend reuses the js elementwise kernels): that is declared, never a silent
 * fallback.
 */
export interface BackendInfo {
  /** Backend name, e.g. 'js' or 'gpu'. */
  name: string;
  /** A sub-mode, e.g. gpu.js's 'webasm'. */
  mode?: string;
  /** The device the mode runs on, where it names one: webgpu's adapter, e.g. 'NVIDIA H200' or 'llvmpipe ..., software'. */
  device?: string;
}

export interface BackendDefinition<O = unknown> {
  name: string;
  parent?: string;
  /** Prepares the backend for `options`; throws (saying why and what is available) if it cannot run here. */
  setup?(options: O | undefined): BackendInfo;
  /**
   * Kernels of the mode that setup() chose, over the backend's registered ones (the gpu
   * backend's webgpu mode runs every kernel on its device); undefined for none.
   */
  modeKernels?(info: BackendInfo): Partial<Kernels> | undefined;
  /**
   * Called before another backend or mode takes over: a backend whose arrays may live on a
   * device brings them to the host here, so that the next backend reads current values.
   */
  deactivate?(info: BackendInfo): void;
}

const backends = new Map<string, BackendDefinition<any>>();
const registry = new Map<string, Partial<Kernels>>();
let current: BackendInfo = { name: 'js' };

/** The active kernel table. Its methods are swapped in place by setBackend, so callers may hold on to it. */
export const K = {} as Kernels;

export function registerBackend<O>(def: BackendDefinition<O>): void {
  backends.set(def.name, def);
  if (!registry.has(def.name)) registry.set(def.name, {});
}

export function registerKernel<N extends KernelName>(kernel: N, backend: string, fn: Kernels[N]): void {
  let table = registry.get(backend);
  if (!table) registry.set(backend, (table = {}));
  table[kernel] = fn;
  if (backend === current.name || inheritsFrom(current.name, backend)) bind(current.name);
}

function inheritsFrom(name: string, ancestor: string): boolean {
  for (let p = backends.get(name)?.parent; p; p = backends.get(p)?.parent) if (p === ancestor) return true;
  return false;
}

/** Resolves every kernel for `name` (own first, then its parents) into K. */
function bind(name: string): void {
  const resolved: Partial<Kernels> = {};
  const chain: string[] = [];
  for (let b: string | undefined = name; b; b = backends.get(b)?.parent) chain.unshift(b);
  for (const b of chain) Object.assign(resolved, registry.get(b));
  if (current.name === name) Object.assign(resolved, backends.get(name)?.modeKernels?.(current));
  Object.assign(K, resolved);
}

/** The names of registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Switch the engine to backend `name`. Unknown names and modes that cannot run
 * here throw an error naming what is available; the previous backend stays active.
 */
export function setBackend<O>(name: string, options?: O): BackendInfo {
  const def = backends.get(name);
  if (!def) {
    throw new Error(
      `setBackend: unknown backend '${name}'; expected one of ${listBackends()
        .map((b) => `'${b}'`)
        .join(', ')}`,
    );
  }
  const missing = missingKernels(name);
  if (missing.length) throw new Error(`setBackend: backend '${name}' lacks kernels ${missing.join(', ')}`);
  // Whatever the next backend is, it must find current values on the host (it may be this one in another mode).
  backends.get(current.name)?.deactivate?.(current);
  const info = def.setup ? def.setup(options) : { name };
  current = info;
  bind(name);
  return info;
}

/** The active backend and its mode. */
export function getBackend(): BackendInfo {
  return { ...current };
}

function missingKernels(name: string): string[] {
  const have = new Set<string>();
  for (let b: string | undefined = name; b; b = backends.get(b)?.parent) {
    for (const k of Object.keys(registry.get(b) ?? {})) have.add(k);
  }
  return KERNEL_NAMES.filter((k) => !have.has(k));
}

export const KERNEL_NAMES: readonly KernelName[] = [
  'unary',
  'binary',
  'reduce',
  'variance',
  'matmul',
  'permute',
  'gatherRows',
  'scatterAddRows',
  'batchNormStats',
  'batchNormUpdateStats',
  'batchNormForward',
  'batchNormBackward',
  'sgdUpdate',
  'accumulate',
  'fill',
  'sync',
  'release',
];
