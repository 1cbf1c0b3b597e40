// Every elementwise op (a new op in elementwise.ts is exported here without an edit).
export * from './elementwise';
export { sum, mean, variance, max, argmax, sumToShape } from './reduce';
export { reshape, reshapeGrad, view, expand, permute, transpose, indexSelect, cat, clone } from './shape';
export { matmul } from './matmul';
export { softmax, logSoftmax } from './softmax';
