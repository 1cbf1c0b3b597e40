/**
 * RXNN_BACKEND (src/config/flags.ts) names the backend the engine starts with:
 *   js | gpu | gpu:<mode>   (mode: auto, webgpu, headlessgl, webasm, cpu)
 * It is applied at the first kernel call (or getBackend), not at import, so a value that names no
 * backend, or a mode that cannot run here, is an error at that call saying why.
 */
export { applyBackendEnv, parseBackendSpec } from './registry';
