import { defer, identity, Observable, SchedulerLike } from 'rxjs';
import { Module, MSELoss } from '../nn';
import { mseCal } from '../train';
import { batches } from './batches';
import { epochs as epochsOf } from './epochs';
import { evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { checkOptimizer, Criterion, Loader, Metric, OptimizerOption, resolveOptimizer } from './options';
import { runningStats } from './running-stats';
import { trainStep } from './train-step';

/** The options `trainTest$`, `compare$`, `modelTrainTest` and `modelComparison` share (the lesson's, camelCased). */
export interface TrainTestCommon {
  /** Training loader: one pass per epoch, through `trainStep`. */
  train: Loader;
  /** Test loader: measured at each epoch's end only. */
  test: Loader;
  /** Epochs, one pass over `train` each (default 20). */
  epochs?: number;
  /** The loss (default `new nn.MSELoss()`). */
  criterion?: Criterion;
  /** An optimizer instance, a class such as `optim.SGD`, or `(params, lr) => optimizer` (default: SGD). */
  optimizer?: OptimizerOption;
  /** Learning rate given to the optimizer class or factory (default 0.03). */
  lr?: number;
  /** Classification: flatten targets to class indices (use with CrossEntropyLoss and accuracyCal). */
  cla?: boolean;
  /** The end-of-epoch metric: `mseCal` (default), `accuracyCal` or your own. */
  evaluate?: Metric;
  /** Where to yield between batches (default setImmediate); `null`: never yield. */
  scheduler?: SchedulerLike | null;
  /** Batches per turn: as many as fit in this many ms (default 0: one per turn); see `batches`. */
  sliceMs?: number;
  /** Also emit `runningStats` events after every step (default false). */
  stats?: boolean;
  /** First epoch to run (default 1): a resumed run continues after its checkpoint. */
  from?: number;
}

/**
 * Options of {@link trainTest$} and {@link modelTrainTest}: the shared {@link TrainTestCommon} options for one model.
 */
export interface TrainTestOptions extends TrainTestCommon {
  /** The model to train; the run changes it in place. */
  model: Module;
  /** A name for the model's events (default: none). */
  name?: string;
}

/** Defaults, checked once: the numbers that matter named in the error. */
export function commonDefaults(o: TrainTestCommon) {
  const { epochs = 20, lr = 0.03, cla = false, from = 1 } = o;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`epochs: expected a non-negative integer, got ${epochs}`);
  if (typeof lr !== 'number' || !(lr >= 0)) throw new RangeError(`lr: expected a number >= 0, got ${lr}`);
  for (const key of ['train', 'test'] as const) {
    const l = o[key] as unknown;
    if (!l || typeof (l as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${key}: expected a loader (iterable over [X, y] batches), got ${String(l)}`);
    }
    // An empty train loader would train nothing and report NaN metrics.
    if (key === 'train' && (l as { length?: unknown }).length === 0)
      throw new RangeError(
        'train: the loader has no batches (an empty dataset, or dropLast with fewer rows than batchSize)',
      );
  }
  return { epochs, lr, cla, from, criterion: o.criterion ?? new MSELoss(), metric: o.evaluate ?? mseCal };
}

/**
 * The lesson's `model_train_test` as a live stream: per epoch, one pass of
 * `trainStep` over `train`, then `evaluate` on train and test. Emits step events,
 * one epoch event per epoch (and runningStats events with `stats: true`).
 *
 * Cold: nothing runs until you subscribe; each subscription is a new run (on the
 * same model object, so pass a fresh model for an independent one). Unsubscribe
 * stops between two steps. Note: the lesson's loop passes its loop index as
 * `epochs` to `fit`, so its epoch i trains i passes; rxnn trains one pass per
 * epoch.
 *
 * @example
 * rx.trainTest$({ model, train, test, epochs: 20, lr: 0.03 })
 *   .pipe(filter((e) => e.kind === 'epoch'))
 *   .subscribe((e) => console.log(e.epoch, e.train, e.test));
 */
export function trainTest$(options: TrainTestOptions): Observable<TrainEvent> {
  // Bad options throw here, at once; the work (and the optimizer) waits for a subscription.
  commonDefaults(options);
  checkOptimizer(options.optimizer);
  return defer(() => {
    const { epochs, lr, cla, from, criterion, metric } = commonDefaults(options);
    const { model, train, test, name } = options;
    const optimizer = resolveOptimizer(options.optimizer, model, lr);
    model.train();
    return batches(train, { scheduler: options.scheduler, sliceMs: options.sliceMs }).pipe(
      epochsOf(epochs, { from }),
      trainStep({ model, criterion, optimizer, cla, name }),
      options.stats ? runningStats(model, { name }) : identity,
      evaluate({ model, loaders: { train, test }, metric, name }),
    );
  });
}
