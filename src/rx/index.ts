/**
 * rxnn's training as RxJS operators: sources and shaping (`source`, `split`,
 * `batches`, `epochs`), computing (`trainStep`, `evaluate`, `runningStats`) and
 * the lesson's ready pipelines (`trainTest$`, `compare$`, `modelTrainTest`,
 * `modelComparison`). One operator per file, each built with `operate`.
 *
 * @packageDocumentation
 */
export { operate, relay } from './operate';
export { immediateScheduler } from './immediate';
export { source } from './source';
export type { SourceSpec } from './source';
export { split } from './split';
export type { SplitOptions, Split } from './split';
export { batches } from './batches';
export type { BatchesOptions } from './batches';
export { epochs } from './epochs';
export type { EpochsOptions } from './epochs';
export { trainStep } from './train-step';
export type { TrainStepOptions } from './train-step';
export { evaluate } from './evaluate';
export type { EvaluateOptions } from './evaluate';
export { runningStats, layerStats } from './running-stats';
export { bnWarnings, staticWarnings } from './warnings';
export type { BnWarningsOptions } from './warnings';
export { serve } from './serve';
export type { ServeOptions, ServeHandle } from './serve';
export { trainTest$ } from './train-test';
export type { TrainTestOptions, TrainTestCommon } from './train-test';
export { compare$ } from './compare';
export type { CompareOptions } from './compare';
export { modelTrainTest } from './model-train-test';
export { modelComparison } from './model-comparison';
export { TrainingError } from './errors';
export { resolveOptimizer } from './options';
export type {
  Optimizer,
  OptimizerFactory,
  OptimizerClass,
  OptimizerOption,
  Criterion,
  Loader,
  Metric,
} from './options';
export type * from './events';
