import type { OperatorFunction } from 'rxjs';
import { BatchNorm, Module } from '../nn';
import type { LayerStats, PipelineEvent, RunningStatsEvent } from './events';
import { named } from './named';
import { operate, relay } from './operate';

/** Every BatchNorm layer of `model` with its state-dict prefix (`normalize1`). */
function batchNorms(model: Module): [string, BatchNorm][] {
  return model.namedModules().filter((e): e is [string, BatchNorm] => e[1] instanceof BatchNorm);
}

/**
 * A copy of one layer's running statistics (copied: the layer updates them in place); with
 * `batch`, also the last training batch's own mean and biased variance, where the layer kept them.
 */
export function layerStats(name: string, bn: BatchNorm, batch = false): LayerStats {
  const stats: LayerStats = {
    name,
    runningMean: bn.runningMean ? Array.from(bn.runningMean.data) : null,
    runningVar: bn.runningVar ? Array.from(bn.runningVar.data) : null,
    numBatchesTracked: bn.numBatchesTracked,
  };
  if (batch && bn.batchStats) {
    stats.batchMean = Array.from(bn.batchStats.mean.data);
    stats.batchVar = Array.from(bn.batchStats.varBiased.data);
  }
  return stats;
}

/**
 * After every step event, emits the running mean, running variance and
 * numBatchesTracked of each BatchNorm layer of `model`, so a subscriber can
 * watch them converge to the data's statistics. Events pass through unchanged;
 * with `name`, only that model's steps are followed. With `batch: true` each
 * layer also carries that step's batch mean and (biased) variance, the ones
 * train mode normalised with: the gap to the running ones is what eval mode
 * changes. The layers keep them while subscribed (`BatchNorm.keepBatchStats`).
 *
 * @example
 * pipeline.pipe(runningStats(model, { batch: true }), filter((e) => e.kind === 'runningStats'))
 *   .subscribe((e) => console.log(e.step, e.layers[0].runningMean, e.layers[0].batchMean));
 */
export function runningStats<E extends PipelineEvent>(
  model: Module,
  options: { name?: string; batch?: boolean } = {},
): OperatorFunction<E, E | RunningStatsEvent> {
  const layers = batchNorms(model);
  const batch = options.batch ?? false;
  return operate((source, out) => {
    if (batch) for (const [, bn] of layers) bn.keepBatchStats = true;
    out.add(() => {
      if (!batch) return;
      for (const [, bn] of layers) {
        bn.keepBatchStats = false;
        bn.batchStats = null;
      }
    });
    return source.subscribe(
      relay(out, (ev) => {
        out.next(ev);
        if (ev.kind !== 'step' || out.closed) return;
        if (options.name !== undefined && ev.model !== options.name) return;
        out.next({
          kind: 'runningStats',
          ...named(options.name),
          epoch: ev.epoch,
          step: ev.step,
          layers: layers.map(([n, bn]) => layerStats(n, bn, batch)),
        });
      }),
    );
  });
}
