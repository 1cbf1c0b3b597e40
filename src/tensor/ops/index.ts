export { add, sub, mul, div, pow, neg, exp, log, sqrt, relu, sigmoid, tanh, abs, gt, asTensor } from './elementwise';
export { sum, mean, variance, max, argmax, sumToShape } from './reduce';
export { reshape, reshapeGrad, view, expand, permute, transpose, indexSelect, cat, clone } from './shape';
export { matmul } from './matmul';
export { softmax, logSoftmax } from './softmax';
