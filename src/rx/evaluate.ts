import type { OperatorFunction } from 'rxjs';
import type { Module } from '../nn';
import { noGrad } from '../autograd';
import { mseCal } from '../train';
import { TrainingError } from './errors';
import type { EpochEndEvent, EpochEvent, PipelineEvent } from './events';
import { named } from './named';
import { operate, relay } from './operate';
import { Loader, Metric, toNumber } from './options';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The model to measure; put in eval mode for the metric, then back in train mode. */
  model: Module;
  /** The loaders to measure; the metric sees each one's whole dataset. */
  loaders: {
    /** The training loader: its metric is the event's `train`. */
    train: Loader;
    /** The test loader: its metric is the event's `test`. */
    test: Loader;
  };
  /** `mseCal` (default), `accuracyCal` or your own `(loader, model) => Tensor | number`. */
  metric?: Metric;
  /** The model's name, attached to the epoch events as `model` (for comparisons). */
  name?: string;
}

/**
 * At each epoch's end (the `epochEnd` marker from `epochs`), switches the model
 * to eval mode, computes the metric on the train and the test loader, switches
 * back to train mode and emits `{kind: 'epoch', epoch, train, test}` in place of
 * the marker; everything else passes through. This is the lesson's
 * `model.eval(); train_l.append(eva(train_data, model)); …`. The metric runs
 * without building a graph, which changes no number.
 *
 * @example
 * batches(train).pipe(epochs(20), trainStep({ model, criterion, optimizer }),
 *   evaluate({ model, loaders: { train, test }, metric: mseCal }))
 */
export function evaluate<E extends PipelineEvent>(
  options: EvaluateOptions,
): OperatorFunction<E, Exclude<E, EpochEndEvent> | EpochEvent> {
  const { model, loaders, name } = options;
  const metric: Metric = options.metric ?? mseCal;
  return operate((source, out) =>
    source.subscribe(
      relay(out, (ev) => {
        if (ev.kind !== 'epochEnd') return out.next(ev as Exclude<E, EpochEndEvent>);
        const where = { epoch: ev.epoch, step: ev.steps, model: name };
        const [train, test] = TrainingError.wrap(where, () => {
          model.eval();
          try {
            return noGrad(() => [
              toNumber(metric(loaders.train, model), 'evaluate'),
              toNumber(metric(loaders.test, model), 'evaluate'),
            ]);
          } finally {
            model.train();
          }
        });
        out.next({ kind: 'epoch', ...named(name), epoch: ev.epoch, train, test });
      }),
    ),
  );
}
