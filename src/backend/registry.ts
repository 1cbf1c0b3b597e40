import { FLAGS, flag, parseFlag, type BackendSpec } from '../config/flags';
import { KERNEL_NAMES, type KernelName, type Kernels } from './kernels';

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
  /** The modes setup() takes as `{ mode }` (RXNN_BACKEND's `name:mode`); absent for a backend without modes. */
  modes?: readonly string[];
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

const backends = new Map<string, BackendDefinition<unknown>>();
const registry = new Map<string, Partial<Kernels>>();
let current: BackendInfo = { name: 'js' };
/** False until a backend is chosen: by setBackend, or at the first kernel call from RXNN_BACKEND (chooseDefault). */
let chosen = false;

/**
 * The active kernel table. Its methods are swapped in place by setBackend, so callers may hold on to
 * it (not to its methods). Until a backend is chosen each method chooses one first (chooseDefault).
 */
export const K = {} as Kernels;
for (const name of KERNEL_NAMES) {
  const choose = (...args: unknown[]): unknown => {
    chooseDefault();
    const bound = K[name] as unknown as (...a: unknown[]) => unknown;
    if (bound === choose) throw new Error(`backend '${current.name}' has no kernel '${name}'`);
    return bound(...args);
  };
  (K as unknown as Record<KernelName, unknown>)[name] = choose;
}

/** Chooses the backend RXNN_BACKEND names (js when unset), once; throws at every call while it is bad. */
function chooseDefault(): void {
  if (chosen) return;
  const spec = flag('RXNN_BACKEND');
  if (spec) applyBackendEnv(spec);
  else setBackend('js');
}

export function registerBackend<O>(def: BackendDefinition<O>): void {
  backends.set(def.name, def);
  if (!registry.has(def.name)) registry.set(def.name, {});
}

export function registerKernel<N extends KernelName>(kernel: N, backend: string, fn: Kernels[N]): void {
  let table = registry.get(backend);
  if (!table) registry.set(backend, (table = {}));
  table[kernel] = fn;
  if ((chosen && backend === current.name) || inheritsFrom(current.name, backend)) bind(current.name);
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
 *
 * @example
 * ```ts
 * import { availableBackends, setBackend } from 'rxnn';
 * availableBackends().map((b) => b.label); // e.g. ['js', 'gpu:webasm', 'gpu:cpu']
 * setBackend('js'); // plain JavaScript, the reference for every other backend
 * ```
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
  chosen = true;
  bind(name);
  return info;
}

/** The active backend and its mode (choosing it from RXNN_BACKEND first, if nothing has yet). */
export function getBackend(): BackendInfo {
  chooseDefault();
  return { ...current };
}

/**
 * A backend as RXNN_BACKEND spells it (`js`, `gpu`, `gpu:<mode>`), checked against the registered
 * backends; throws naming the variable, the value and what was expected.
 */
export function parseBackendSpec(spec: string): { name: string; options?: { mode: string } } {
  const parsed = parseFlag('RXNN_BACKEND', spec);
  if (!parsed) throw new Error(`RXNN_BACKEND='${spec}': expected ${FLAGS.RXNN_BACKEND.expected}`);
  const { name, mode } = parsed;
  if (!listBackends().includes(name)) {
    throw new Error(`RXNN_BACKEND='${spec}': unknown backend '${name}'; expected one of ${listBackends().join(', ')}`);
  }
  if (mode !== undefined && !backends.get(name)?.modes) {
    throw new Error(`RXNN_BACKEND='${spec}': backend '${name}' takes no mode`);
  }
  return mode === undefined ? { name } : { name, options: { mode } };
}

/**
 * Switches to the backend `value` names (RXNN_BACKEND's spelling); nothing for unset or blank.
 * A backend that cannot run here throws with the reason, prefixed by the variable and its value.
 */
export function applyBackendEnv(value: string | BackendSpec | undefined): void {
  if (value === undefined) return;
  const raw = typeof value === 'string' ? value : value.mode === undefined ? value.name : `${value.name}:${value.mode}`;
  if (raw.trim() === '') return;
  const { name, options } = parseBackendSpec(raw);
  try {
    setBackend(name, options);
  } catch (e) {
    throw new Error(`RXNN_BACKEND='${raw}': ${(e as Error).message}`);
  }
}

/**
 * Which backend provides each kernel of backend `name`: itself, or the declared parent it
 * inherits the kernel from; undefined for a kernel nobody in the chain registers.
 */
export function kernelProviders(name: string): Record<KernelName, string | undefined> {
  const out = {} as Record<KernelName, string | undefined>;
  for (const k of KERNEL_NAMES) {
    let b: string | undefined = name;
    while (b && !(k in (registry.get(b) ?? {}))) b = backends.get(b)?.parent;
    out[k] = b;
  }
  return out;
}

function missingKernels(name: string): string[] {
  const have = new Set<string>();
  for (let b: string | undefined = name; b; b = backends.get(b)?.parent) {
    for (const k of Object.keys(registry.get(b) ?? {})) have.add(k);
  }
  return KERNEL_NAMES.filter((k) => !have.has(k));
}

export { KERNEL_NAMES };
