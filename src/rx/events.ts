/**
 * The events a training pipeline emits. Epochs and steps count from 1 so that
 * messages read naturally ("epoch 3, step 12"); result arrays are indexed
 * epoch - 1. `model` is the model's name where a pipeline trains several.
 */

/** One batch of one epoch, as `batches` and `epochs` shape it. */
export interface BatchEvent<X = unknown, Y = unknown> {
  kind: 'batch';
  epoch: number;
  step: number;
  X: X;
  y: Y;
}

/** Marks the end of an epoch; `evaluate` turns it into an `EpochEvent`. */
export interface EpochEndEvent {
  kind: 'epochEnd';
  model?: string;
  epoch: number;
  /** Batches seen in this epoch. */
  steps: number;
}

/** One optimisation step: the batch's loss before the update. */
export interface StepEvent {
  kind: 'step';
  model?: string;
  epoch: number;
  step: number;
  loss: number;
  batchSize: number;
}

/** The metric on the train and test data, in eval mode, at the end of an epoch. */
export interface EpochEvent {
  kind: 'epoch';
  model?: string;
  epoch: number;
  train: number;
  test: number;
}

/** One BatchNorm layer's running statistics, named as in its state dict. */
export interface LayerStats {
  name: string;
  runningMean: number[] | null;
  runningVar: number[] | null;
  numBatchesTracked: number | null;
}

/** Every BatchNorm layer's running statistics after a step. */
export interface RunningStatsEvent {
  kind: 'runningStats';
  model?: string;
  epoch: number;
  step: number;
  layers: LayerStats[];
}

/** What the ready pipelines (`trainTest$`, `compare$`) emit. */
export type TrainEvent = StepEvent | EpochEvent | RunningStatsEvent;

/** Everything that may flow between the operators. */
export type PipelineEvent<X = unknown, Y = unknown> = BatchEvent<X, Y> | EpochEndEvent | TrainEvent;
