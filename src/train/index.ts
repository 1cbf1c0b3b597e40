export { fit, trainBatch } from './fit';
export type { FitOptions, Criterion, Optimizer } from './fit';
export { mseCal, accuracyCal } from './evaluate';
export type { EvaluableLoader } from './evaluate';
