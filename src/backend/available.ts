import './js';
import './gpu';
import { runnableModes } from './gpu/modes';

/**
 * The backend/option combinations that run on this machine, for tests and
 * benchmarks to loop over: js always, then gpu in each gpu.js mode whose
 * probe kernel computed the right answer here (see gpu/modes.ts). A mode
 * that cannot load is simply absent.
 */
export interface AvailableBackend {
  /** The backend name for {@link setBackend}: 'js' or 'gpu'. */
  name: string;
  /** The backend options, e.g. the gpu.js mode; absent for js. */
  options?: { mode: string };
  /** e.g. 'js' or 'gpu:webasm', the RXNN_BACKEND spelling. */
  label: string;
}

/** The backend/option combinations that run here: `js` first, then `gpu` in each gpu.js mode whose probe passed. */
export function availableBackends(): AvailableBackend[] {
  return [
    { name: 'js', label: 'js' },
    ...runnableModes().map((mode) => ({ name: 'gpu', options: { mode }, label: `gpu:${mode}` })),
  ];
}
