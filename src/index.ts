/**
 * rxnn: neural networks with PyTorch's numbers, trained as RxJS pipelines.
 * The public API; layers below import only downwards (see README).
 *
 * @packageDocumentation
 */
export { Tensor, tensor, zeros, ones, full, arange, cat, randn, rand, uniform, normal, randperm } from './tensor';
export { tidy, keep, dispose } from './tensor';
export type { NestedArray, TensorOptions, RandomOptions } from './tensor';
export { noGrad, enableGrad, isGradEnabled } from './autograd';
export { manualSeed, Generator, defaultGenerator } from './random';
export { setBackend, getBackend, listBackends, availableBackends } from './backend';
/**
 * Stateless functions, as `torch.nn.functional`: `linear`, `batchNorm`, `mseLoss`, `crossEntropy`
 * and the activations; the {@link nn} modules hold the state.
 */
export * as F from './functional';
/**
 * Layers, as `torch.nn`: {@link nn.Module}, `Parameter`, `Linear`, `BatchNorm1d`/`BatchNorm2d`,
 * `ReLU`/`Sigmoid`/`Tanh`, `Sequential`, `MLP` and the losses `MSELoss`, `CrossEntropyLoss`.
 */
export * as nn from './nn';
/** Optimizers, as `torch.optim`: {@link optim.SGD} with momentum, dampening, weight decay and Nesterov. */
export * as optim from './optim';
/**
 * Data, as `torch.utils.data` plus the lesson's generators: `tensorGenReg`, `tensorGenCla`,
 * `TensorDataset`, `Subset`, `randomSplit`, `DataLoader`, `splitLoader`, `readCsv`.
 */
export * as data from './data';
export { fit, mseCal, accuracyCal } from './train';
export * as rx from './rx';
export { modelTrainTest, modelComparison } from './rx';
export { sweep$, localPool, queueExecutor } from './sweep';
