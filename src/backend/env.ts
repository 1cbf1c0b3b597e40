import './js';
import './gpu';
import { listBackends, setBackend } from './registry';

/**
 * RXNN_BACKEND selects the backend when src/backend is first imported:
 *   js | gpu | gpu:<mode>   (mode: auto, webgpu, headlessgl, webasm, cpu)
 * A value that names no backend, or a mode that cannot run here, throws at
 * import with the reason, rather than running on something else.
 */
export function parseBackendSpec(spec: string): { name: string; options?: { mode: string } } {
  const m = /^\s*([a-z0-9_-]+)(?::([a-z0-9_-]+))?\s*$/i.exec(spec);
  if (!m) throw new Error(`RXNN_BACKEND='${spec}': expected 'js', 'gpu' or 'gpu:<mode>'`);
  const [, name, mode] = m;
  if (!listBackends().includes(name)) {
    throw new Error(`RXNN_BACKEND='${spec}': unknown backend '${name}'; expected one of ${listBackends().join(', ')}`);
  }
  if (mode !== undefined && name !== 'gpu') throw new Error(`RXNN_BACKEND='${spec}': backend '${name}' takes no mode`);
  return mode === undefined ? { name } : { name, options: { mode } };
}

export function applyBackendEnv(value = process.env.RXNN_BACKEND): void {
  if (value === undefined || value.trim() === '') return;
  const { name, options } = parseBackendSpec(value);
  try {
    setBackend(name, options);
  } catch (e) {
    throw new Error(`RXNN_BACKEND='${value}': ${(e as Error).message}`);
  }
}

applyBackendEnv();
