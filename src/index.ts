/**
 * rxnn: neural networks with PyTorch's numbers, trained as RxJS pipelines.
 * The public API; layers below import only downwards (see README).
 */
export { Tensor, tensor, zeros, ones, full, arange, cat, randn, rand, uniform, normal, randperm } from './tensor';
export type { NestedArray, TensorOptions, RandomOptions } from './tensor';
export { noGrad, enableGrad, isGradEnabled } from './autograd';
export { manualSeed, Generator, defaultGenerator } from './random';
export { setBackend, getBackend, listBackends, availableBackends } from './backend';
export * as F from './functional';
export * as nn from './nn';
export * as optim from './optim';
export * as data from './data';
export { fit, mseCal, accuracyCal } from './train';
export * as rx from './rx';
export { modelTrainTest, modelComparison } from './rx';
