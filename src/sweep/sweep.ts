import { concat, defer, EMPTY, from, mergeMap, Observable, of } from 'rxjs';
import type { EpochEvent } from '../rx/events';
import { summarize, type SweepSummary } from './aggregate';
import type { Executor } from './executor';
import { expandGrid, SweepInputError, type GridAxis } from './grid';
import { localPool } from './pool';
import { decode, loadPipeline, type EpochRow, type RunResult } from './run-one';
import { planRuns, type BackendChoice, type PipelineRef, type RunSpec } from './spec';

/** What `sweep$` runs. */
export interface SweepOptions {
  /** Where workers load the pipeline (a module they can require, and the export). */
  pipeline: PipelineRef;
  seeds: readonly number[];
  /** The parameters to sweep, each with its values; the grid is their product (with the seeds). */
  grid?: readonly GridAxis[];
  /** Parameters fixed for every run (epochs, lr, …), over the pipeline's defaults. */
  params?: Record<string, unknown>;
  backend?: BackendChoice;
  /** Local worker threads, where no `executor` is given (default one per core). */
  concurrency?: number;
  /** Where runs go: `localPool(n)` (the default) or `queueExecutor(url)`. */
  executor?: Executor;
  /** Results already in hand, by run id (a resumed sweep): these runs are not run again. */
  done?: ReadonlyMap<string, RunResult>;
}

/** Where a sweep stands. */
export interface SweepProgress {
  done: number;
  failed: number;
  total: number;
  elapsedMs: number;
  /** Estimated time to the end from the rate so far (NaN before the first run of this session ends). */
  etaMs: number;
}

/** What `sweep$` emits. */
export type SweepEvent =
  /** First: every run of the sweep, and how many were done before (resume). */
  | { kind: 'start'; runs: RunSpec[]; skipped: number; metric: string; executor: string }
  /** Each epoch event of a run, tagged with the run: as the run makes it, at the latest at its end. */
  | { kind: 'run'; run: string; event: EpochEvent }
  /** A run ended: its result, or its error after its attempts. */
  | { kind: 'runEnd'; run: RunSpec; status: 'done'; result: RunResult; skipped: boolean }
  | { kind: 'runEnd'; run: RunSpec; status: 'failed'; error: string; attempts: number }
  /** After each run's end: progress, and the statistics of all finished runs (computed when called). */
  | { kind: 'aggregate'; progress: SweepProgress; summary: () => SweepSummary }
  /** A message for the person running the sweep (Redis lost or back). */
  | { kind: 'notice'; message: string };

/**
 * A sweep as an observable: the pipeline over every seed at every point of the
 * grid, run in parallel by `executor` (default: a local worker-thread pool,
 * `concurrency` threads). It emits `start`, then each run's epoch events (tagged
 * with the run) as it makes them, and per finished run its end and an aggregate
 * update, and completes when every
 * run has ended (failed ones included). Unsubscribing stops the workers.
 *
 * @example
 * sweep$({ pipeline: { name: 'bn-placement', module: 'rxnn/pipelines', exportName: 'bnPlacement' }, seeds: [0, 1, 2] })
 *   .subscribe((e) => e.kind === 'aggregate' && console.log(e.progress.done, e.summary().comparisons));
 */
export function sweep$(options: SweepOptions): Observable<SweepEvent> {
  return defer(() => {
    const pipeline = loadPipeline(options.pipeline);
    if (!options.seeds.length) throw new SweepInputError('seeds: the sweep has no seeds, so the grid is empty');
    const axes = options.grid ?? [];
    const runs = planRuns({
      pipeline,
      ref: options.pipeline,
      seeds: options.seeds,
      settings: expandGrid(axes),
      params: options.params,
      backend: options.backend,
    });
    const executor = options.executor ?? localPool(options.concurrency);
    const byId = new Map(runs.map((r) => [r.id, r]));
    const results = new Map<string, RunResult>();
    const prior = runs.filter((r) => options.done?.has(r.id));
    for (const r of prior) results.set(r.id, options.done!.get(r.id)!);
    const todo = runs.filter((r) => !results.has(r.id));
    const ended = new Set<string>();
    let failed = 0;
    const started = Date.now();
    let finishedHere = 0;
    const aggregate = (): SweepEvent => {
      const elapsedMs = Date.now() - started;
      const left = runs.length - results.size - failed;
      return {
        kind: 'aggregate',
        progress: {
          done: results.size,
          failed,
          total: runs.length,
          elapsedMs,
          etaMs: finishedHere ? (elapsedMs / finishedHere) * left : NaN,
        },
        summary: () => summarize(runs, results, pipeline.metric),
      };
    };
    const tag = (id: string, [model, epoch, train, test]: EpochRow): SweepEvent => ({
      kind: 'run',
      run: id,
      event: { kind: 'epoch', model, epoch, train: decode(train), test: decode(test) },
    });
    // Rows of each run emitted so far: live rows in order, once each (a retried run repeats them,
    // a lost message leaves a gap); the run's end emits whatever it has that was not emitted yet.
    const emitted = new Map<string, number>();
    const rest = (id: string, rows: readonly EpochRow[]): SweepEvent[] =>
      rows.slice(emitted.get(id) ?? 0).map((row) => tag(id, row));
    const start: SweepEvent = {
      kind: 'start',
      runs,
      skipped: prior.length,
      metric: pipeline.metric,
      executor: executor.label,
    };
    return concat(
      of(start),
      from(
        prior.flatMap((r): SweepEvent[] => [
          { kind: 'runEnd', run: r, status: 'done', result: results.get(r.id)!, skipped: true },
        ]),
      ),
      defer(() => (prior.length ? of(aggregate()) : EMPTY)),
      (todo.length ? executor.execute(todo) : EMPTY).pipe(
        mergeMap((o): SweepEvent[] => {
          if (o.kind === 'notice') return [{ kind: 'notice', message: o.message }];
          const run = byId.get(o.id);
          if (!run || ended.has(o.id)) return [];
          if (o.kind === 'epoch') {
            if (o.index !== (emitted.get(o.id) ?? 0)) return [];
            emitted.set(o.id, o.index + 1);
            return [tag(o.id, o.row)];
          }
          ended.add(o.id);
          finishedHere++;
          if (o.kind === 'failed') {
            failed++;
            return [{ kind: 'runEnd', run, status: 'failed', error: o.error, attempts: o.attempts }, aggregate()];
          }
          results.set(o.id, o.result);
          return [
            ...rest(o.id, o.result.rows),
            { kind: 'runEnd', run, status: 'done', result: o.result, skipped: false },
            aggregate(),
          ];
        }),
      ),
    );
  });
}
