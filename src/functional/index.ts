/** Pure functions for the math (PyTorch's torch.nn.functional); modules hold state. */
export { linear } from './linear';
export { batchNorm } from './batch-norm';
export { mseLoss, crossEntropy } from './loss';
export { relu, sigmoid, tanh, softmax, logSoftmax } from '../tensor/ops';
