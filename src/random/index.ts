/** PyTorch-compatible CPU random streams (MT19937 and PyTorch 1.13's distributions). */
export { MT19937, MT_N, type MT19937State } from './mt19937';
export { Generator, DEFAULT_SEED, defaultGenerator, manualSeed, type GeneratorState } from './generator';
export { kaimingUniformBound, linearBiasBound } from './init-bounds';
export { fma32, fma64 } from './fma';
