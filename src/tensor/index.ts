export { Tensor, result, wrap, ownedGrad } from './tensor';
export { dispose, keep, scratch, tidy } from './lifetime';
export type { Operand } from './tensor';
export { tensor, zeros, ones, full, arange, shapeArgs } from './creation';
export type { NestedArray, TensorOptions } from './creation';
export { cat } from './ops/shape';
export * as ops from './ops';
export { randn, rand, uniform, normal, randperm } from './random';
export type { RandomOptions } from './random';
