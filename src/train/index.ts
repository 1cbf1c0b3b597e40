export { fit, trainBatch } from './fit';
export type { FitOptions } from './fit';
export { TrainingStep, NonFiniteLossError } from './step';
export type { Criterion, Optimizer, TrainingStepOptions, StepResult } from './step';
export { mseCal, accuracyCal } from './evaluate';
export type { EvaluableLoader } from './evaluate';
