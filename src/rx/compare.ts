import { concat, concatMap, defer, identity, Observable, range } from 'rxjs';
import type { Module } from '../nn';
import { batches } from './batches';
import { epochs as epochsOf } from './epochs';
import { evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { checkOptimizer, describe, Optimizer, OptimizerOption, resolveOptimizer } from './options';
import { runningStats } from './running-stats';
import { commonDefaults, TrainTestCommon } from './train-test';
import { trainStep } from './train-step';

/**
 * Options of {@link compare$} and {@link modelComparison}: the shared {@link TrainTestCommon} options, for several
 * models.
 */
export interface CompareOptions extends Omit<TrainTestCommon, 'optimizer'> {
  /** The models to train side by side, on the same loaders, in this order each epoch. */
  models: Module[];
  /** One name per model (default model1, model2, …); events carry it as `model`. */
  names?: string[];
  /** A class such as `optim.SGD` or `(params, lr) => optimizer` (one per model), or one instance per model. */
  optimizer?: OptimizerOption | Optimizer[];
}

/** Checks models, names and the optimizer option; returns the names. */
function checkModels(o: CompareOptions): string[] {
  const { models } = o;
  if (!Array.isArray(models) || models.length === 0)
    throw new TypeError(`models: expected a non-empty array of modules, got ${describe(models)}`);
  const names = o.names ?? models.map((_, i) => `model${i + 1}`);
  if (names.length !== models.length || new Set(names).size !== names.length) {
    throw new RangeError(`names: expected ${models.length} distinct names, got ${JSON.stringify(names)}`);
  }
  const opt = o.optimizer;
  if (Array.isArray(opt) && opt.length !== models.length) {
    throw new RangeError(`optimizer: expected one optimizer per model (${models.length}), got ${opt.length}`);
  }
  if (!Array.isArray(opt) && opt && typeof opt === 'object' && models.length > 1) {
    throw new TypeError(
      'optimizer: one instance cannot train several models; pass a class, a factory or one instance per model',
    );
  }
  (Array.isArray(opt) ? opt : [opt]).forEach(checkOptimizer);
  return names;
}

/** Names and one optimizer per model (built per subscription: a new run starts with fresh optimizer state). */
function compareSetup(o: CompareOptions, lr: number): { names: string[]; optimizers: Optimizer[] } {
  const names = checkModels(o);
  const opt = o.optimizer;
  const optimizers = o.models.map((m, i) => resolveOptimizer(Array.isArray(opt) ? opt[i] : opt, m, lr));
  return { names, optimizers };
}

/**
 * The lesson's `model_comparison` as a live stream: several named models
 * trained on the same data. Each epoch, each model in turn makes one pass over
 * `train` (iterating the loader itself, so each draws its own shuffle, in the
 * lesson's order) and is evaluated; events carry the model's name.
 *
 * Cold, stoppable between steps, one pass per epoch (the lesson's loop trains
 * i passes in its epoch i; see `trainTest$`).
 *
 * @example
 * rx.compare$({ models: [plain, pre, post], names: ['none', 'pre', 'post'], train, test })
 *   .pipe(filter((e) => e.kind === 'epoch'))
 *   .subscribe((e) => console.log(e.model, e.epoch, e.test));
 */
export function compare$(options: CompareOptions): Observable<TrainEvent> {
  // Bad options throw here, at once; the work (and the optimizers) waits for a subscription.
  commonDefaults(options as TrainTestCommon);
  checkModels(options);
  return defer(() => {
    const { epochs, lr, cla, from, criterion, metric } = commonDefaults(options as TrainTestCommon);
    const { models, train, test } = options;
    const { names, optimizers } = compareSetup(options, lr);
    return range(from, Math.max(0, epochs - from + 1)).pipe(
      concatMap((epoch) =>
        concat(
          ...models.map((model, i) =>
            defer(() => {
              const name = names[i];
              model.train();
              return batches(train, { scheduler: options.scheduler, sliceMs: options.sliceMs }).pipe(
                epochsOf(epoch, { from: epoch }),
                trainStep({ model, criterion, optimizer: optimizers[i], cla, name }),
                options.stats ? runningStats(model, { name }) : identity,
                evaluate({ model, loaders: { train, test }, metric, name }),
              );
            }),
          ),
        ),
      ),
    );
  });
}
