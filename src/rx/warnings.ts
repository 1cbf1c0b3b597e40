import type { OperatorFunction } from 'rxjs';
import { BatchNorm, BatchNorm1d, type Module } from '../nn';
import type { PipelineEvent, WarningEvent } from './events';
import { named } from './named';
import { operate, relay } from './operate';

/** Options of {@link bnWarnings}: what the pipeline trains, so pitfalls can be found before the first step. */
export interface BnWarningsOptions {
  /** The models the pipeline trains, in the order of `names`. */
  models: Module[];
  /** Their names as the events carry them (none for a single unnamed model). */
  names?: string[];
  /** The training loader, to find a last batch of one example before it comes. */
  train?: unknown;
}

/** Every BatchNorm layer of `model` with its state-dict prefix. */
const batchNorms = (model: Module): [string, BatchNorm][] =>
  model.namedModules().filter((e): e is [string, BatchNorm] => e[1] instanceof BatchNorm);

/** Size, batch size and dropLast of a DataLoader-like loader, where it tells them. */
function loaderShape(loader: unknown): { size: number; batchSize: number; dropLast: boolean } | undefined {
  const l = loader as { dataset?: { length?: unknown }; batchSize?: unknown; dropLast?: unknown } | null;
  const size = l?.dataset?.length,
    batchSize = l?.batchSize;
  if (typeof size !== 'number' || typeof batchSize !== 'number' || batchSize < 1) return undefined;
  return { size, batchSize, dropLast: l?.dropLast === true };
}

/** The warnings found before training: a coming batch of one, Keras-convention momenta. */
export function staticWarnings(model: Module, name: string | undefined, train?: unknown): WarningEvent[] {
  const layers = batchNorms(model);
  const out: WarningEvent[] = [];
  const shape = loaderShape(train);
  const first1d = layers.find(([, bn]) => bn instanceof BatchNorm1d);
  if (
    shape &&
    first1d &&
    !shape.dropLast &&
    shape.size > 0 &&
    (shape.batchSize === 1 || shape.size % shape.batchSize === 1)
  ) {
    const { size, batchSize } = shape;
    out.push({
      kind: 'warning',
      ...named(name),
      code: 'batch-of-one',
      layer: first1d[0],
      message:
        batchSize === 1
          ? `every training batch has 1 example; BatchNorm layer ${first1d[0]} refuses it in train mode ("Expected more than 1 value per channel")`
          : `the last training batch of each epoch has 1 example (${size} % ${batchSize} = 1); BatchNorm layer ${first1d[0]} refuses it in train mode ("Expected more than 1 value per channel")`,
      fix: `drop it with DataLoader's dropLast: true, or pick a batch size that does not leave 1 (${batchSize + 1} leaves ${size % (batchSize + 1)})`,
    });
  }
  for (const [layer, bn] of layers) {
    if (bn.momentum === null || !(bn.momentum > 0.5)) continue;
    const m = bn.momentum;
    out.push({
      kind: 'warning',
      ...named(name),
      code: 'keras-momentum',
      layer,
      message: `momentum ${m} weighs each new batch by ${m}, so the running statistics follow the last few batches; ${m} reads like Keras's convention, where momentum weighs the old value`,
      fix: `if you meant Keras's ${m}, PyTorch's equivalent is momentum ${+(1 - m).toPrecision(6)} (1 - ${m})`,
    });
  }
  return out;
}

/**
 * Watches a training stream for BatchNorm pitfalls PyTorch users trip on and
 * emits each as a `{kind: 'warning', layer, message, fix}` event, once per layer
 * and kind; every other event passes through unchanged. Before the first event:
 * a training batch of one example that BatchNorm will refuse (dataset % batchSize
 * == 1), and a momentum above 0.5 (Keras's 0.99 is PyTorch's 0.01). While it
 * runs: running statistics that moved between a step and its epoch's metrics
 * (the model was evaluated in train mode), and running statistics moving in a
 * layer whose parameters are frozen (requiresGrad false). Reads only a counter
 * per layer per step.
 *
 * @example
 * rx.compare$({ models, names, train, test })
 *   .pipe(rx.bnWarnings({ models, names, train }))
 *   .subscribe((e) => e.kind === 'warning' && console.warn(`${e.layer}: ${e.message}; ${e.fix}`));
 */
export function bnWarnings<E extends PipelineEvent>(options: BnWarningsOptions): OperatorFunction<E, E | WarningEvent> {
  const { models, names, train } = options;
  if (names && names.length !== models.length) {
    throw new RangeError(`bnWarnings: names: expected ${models.length} names (one per model), got ${names.length}`);
  }
  return operate((source, out) => {
    const watched = models.map((model, i) => ({
      name: names?.[i],
      layers: batchNorms(model),
      counts: new Map<string, number | null>(),
    }));
    const given = new Set<string>();
    const warn = (w: WarningEvent): void => {
      const key = `${w.model ?? ''}\u0000${w.layer}\u0000${w.code}`;
      if (given.has(key) || out.closed) return;
      given.add(key);
      out.next(w);
    };
    for (const [i, model] of models.entries()) for (const w of staticWarnings(model, names?.[i], train)) warn(w);
    return source.subscribe(
      relay(out, (ev) => {
        out.next(ev);
        if (ev.kind !== 'step' && ev.kind !== 'epoch') return;
        const m = watched.find((w) => w.name === ev.model);
        if (!m) return;
        const where = { ...named(m.name), epoch: ev.epoch, ...(ev.kind === 'step' ? { step: ev.step } : {}) };
        for (const [layer, bn] of m.layers) {
          const before = m.counts.get(layer);
          const now = bn.numBatchesTracked;
          m.counts.set(layer, now);
          if (before === undefined || before === now) continue;
          if (ev.kind === 'epoch') {
            warn({
              kind: 'warning',
              ...where,
              code: 'train-mode-eval',
              layer,
              message: `running statistics of ${layer} moved while the model was evaluated: it ran in train mode, so the metric used batch statistics and evaluating changed the model`,
              fix: 'call model.eval() before evaluating and model.train() after (rx.evaluate does)',
            });
          } else if (bn.affine && !bn.weight?.requiresGrad && !bn.bias?.requiresGrad && bn.training) {
            warn({
              kind: 'warning',
              ...where,
              code: 'frozen-stats-moving',
              layer,
              message: `${layer}'s parameters are frozen (requiresGrad false) but its running statistics still move: train mode updates them`,
              fix: `call eval() on ${layer} after each model.train() to freeze its statistics too, or build it with trackRunningStats: false`,
            });
          }
        }
      }),
    );
  });
}
