export { tensorGenReg, tensorGenCla } from './generate';
export type { TensorGenRegOptions, TensorGenClaOptions } from './generate';
export { TensorDataset, Subset, randomSplit, allRows } from './dataset';
export type { Dataset } from './dataset';
export { DataLoader } from './loader';
export type { DataLoaderOptions } from './loader';
export { splitLoader } from './split-loader';
export { readCsv } from './csv';
export type { ReadCsvOptions } from './csv';
