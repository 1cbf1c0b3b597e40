import type { OperatorFunction } from 'rxjs';
import { BatchNorm, Module } from '../nn';
import type { LayerStats, PipelineEvent, RunningStatsEvent } from './events';
import { named } from './named';
import { operate, relay } from './operate';

/** Every BatchNorm layer of `model` with its state-dict prefix (`normalize1`). */
function batchNorms(model: Module): [string, BatchNorm][] {
  return model.namedModules().filter((e): e is [string, BatchNorm] => e[1] instanceof BatchNorm);
}

/** A copy of one layer's running statistics (copied: the layer updates them in place). */
export function layerStats(name: string, bn: BatchNorm): LayerStats {
  return {
    name,
    runningMean: bn.runningMean ? Array.from(bn.runningMean.data) : null,
    runningVar: bn.runningVar ? Array.from(bn.runningVar.data) : null,
    numBatchesTracked: bn.numBatchesTracked,
  };
}

/**
 * After every step event, emits the running mean, running variance and
 * numBatchesTracked of each BatchNorm layer of `model`, so a subscriber can
 * watch them converge to the data's statistics. Events pass through unchanged;
 * with `name`, only that model's steps are followed.
 *
 * @example
 * pipeline.pipe(runningStats(model), filter((e) => e.kind === 'runningStats'))
 *   .subscribe((e) => console.log(e.step, e.layers[0].runningMean));
 */
export function runningStats<E extends PipelineEvent>(
  model: Module,
  options: { name?: string } = {},
): OperatorFunction<E, E | RunningStatsEvent> {
  const layers = batchNorms(model);
  return operate((source, out) =>
    source.subscribe(
      relay(out, (ev) => {
        out.next(ev);
        if (ev.kind !== 'step' || out.closed) return;
        if (options.name !== undefined && ev.model !== options.name) return;
        out.next({
          kind: 'runningStats',
          ...named(options.name),
          epoch: ev.epoch,
          step: ev.step,
          layers: layers.map(([n, bn]) => layerStats(n, bn)),
        });
      }),
    ),
  );
}
