/**
 * The events a training pipeline emits. Epochs and steps count from 1 so that
 * messages read naturally ("epoch 3, step 12"); result arrays are indexed
 * epoch - 1. `model` is the model's name where a pipeline trains several.
 */

/** One batch of one epoch, as `batches` and `epochs` shape it. */
export interface BatchEvent<X = unknown, Y = unknown> {
  /** Discriminant: `'batch'`. */
  kind: 'batch';
  /** The 1-based epoch (0 until `epochs` attaches it). */
  epoch: number;
  /** The batch's 1-based position in its epoch. */
  step: number;
  /** The batch's features, e.g. a [batchSize, k] tensor. */
  X: X;
  /** The batch's targets. */
  y: Y;
}

/** Marks the end of an epoch; `evaluate` turns it into an `EpochEvent`. */
export interface EpochEndEvent {
  /** Discriminant: `'epochEnd'`. */
  kind: 'epochEnd';
  /** The model's name, where a pipeline trains several. */
  model?: string;
  /** The 1-based epoch that ended. */
  epoch: number;
  /** Batches seen in this epoch. */
  steps: number;
}

/** One optimisation step: the batch's loss before the update. */
export interface StepEvent {
  /** Discriminant: `'step'`. */
  kind: 'step';
  /** The model's name, where a pipeline trains several. */
  model?: string;
  /** The 1-based epoch. */
  epoch: number;
  /** The step's 1-based position in its epoch (one step per batch). */
  step: number;
  /** The criterion's value on the batch, computed before the update. */
  loss: number;
  /** Examples in the batch (the first dimension of its `X`). */
  batchSize: number;
}

/** The metric on the train and test data, in eval mode, at the end of an epoch. */
export interface EpochEvent {
  /** Discriminant: `'epoch'`. */
  kind: 'epoch';
  /** The model's name, where a pipeline trains several. */
  model?: string;
  /** The 1-based epoch. */
  epoch: number;
  /** The metric (e.g. `mseCal`, `accuracyCal`) over the whole training set after this epoch. */
  train: number;
  /** The metric over the whole test set after this epoch. */
  test: number;
}

/** One BatchNorm layer's running statistics, named as in its state dict. */
export interface LayerStats {
  /** The layer's state-dict prefix, e.g. `normalize1`. */
  name: string;
  /** The running mean per channel; null without `trackRunningStats`. */
  runningMean: number[] | null;
  /** The running (unbiased) variance per channel; null without `trackRunningStats`. */
  runningVar: number[] | null;
  /** Training batches counted so far; null without `trackRunningStats`. */
  numBatchesTracked: number | null;
  /** The step's batch mean per channel (with `runningStats(model, { batch: true })`). */
  batchMean?: number[];
  /** The step's batch variance per channel, biased: the one train mode normalises with. */
  batchVar?: number[];
}

/** Every BatchNorm layer's running statistics after a step. */
export interface RunningStatsEvent {
  /** Discriminant: `'runningStats'`. */
  kind: 'runningStats';
  /** The model's name, where a pipeline trains several. */
  model?: string;
  /** The 1-based epoch of the step just taken. */
  epoch: number;
  /** The 1-based step just taken, within its epoch. */
  step: number;
  /** Every BatchNorm layer of the model, in module order. */
  layers: LayerStats[];
}

/** A BatchNorm pitfall found in a run (`rx.bnWarnings`): which layer, what and the fix. */
export interface WarningEvent {
  /** Discriminant: `'warning'`. */
  kind: 'warning';
  /** The model's name, where a pipeline trains several. */
  model?: string;
  /** What was found: 'batch-of-one', 'train-mode-eval', 'keras-momentum' or 'frozen-stats-moving'. */
  code: string;
  /** The BatchNorm layer, named as in its state dict. */
  layer: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** Where it was seen; absent for warnings found before training. */
  epoch?: number;
  /** The 1-based step within `epoch`; absent for warnings found before training. */
  step?: number;
}

/** What the ready pipelines (`trainTest$`, `compare$`) emit; `WarningEvent` where `rx.bnWarnings` watches. */
export type TrainEvent = StepEvent | EpochEvent | RunningStatsEvent | WarningEvent;

/** Everything that may flow between the operators. */
export type PipelineEvent<X = unknown, Y = unknown> = BatchEvent<X, Y> | EpochEndEvent | TrainEvent;
