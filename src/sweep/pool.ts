import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { defer, from, mergeMap, Observable } from 'rxjs';
import type { Executor, RunOutcome } from './executor';
import type { EpochRow, RunResult } from './run-one';
import type { RunSpec } from './spec';

/**
 * The worker-thread entry, compiled: beside this module in dist/, or in dist/
 * when this module runs from its TypeScript source (tests).
 */
export function workerFile(name = 'worker.js'): string {
  const here = join(__dirname, name);
  if (existsSync(here) && !__filename.endsWith('.ts')) return here;
  const built = resolve(__dirname, '../../dist/src/sweep', name);
  if (!existsSync(built)) throw new Error(`rxnn: ${built} is missing; run npm run build`);
  return built;
}

/** The first line of an error's message (a worker's stack is noise in a sweep's table). */
export const errorText = (err: unknown): string =>
  String((err as Error)?.message ?? err)
    .split('\n')[0]
    .trim();

/**
 * One run on the pool: its epoch rows as they come (over a MessagePort the worker posts on),
 * then how it ended.
 */
function runOn(pool: { run(task: unknown, o?: { transferList?: MessagePort[] }): Promise<unknown> }, run: RunSpec) {
  return new Observable<RunOutcome>((sub) => {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: { index: number; row: EpochRow }) => sub.next({ kind: 'epoch', id: run.id, ...m }));
    pool.run({ task: run, port: port2 }, { transferList: [port2] }).then(
      (result) => {
        port1.close();
        sub.next({ kind: 'done', id: run.id, result: result as RunResult });
        sub.complete();
      },
      (err: unknown) => {
        port1.close();
        sub.next({ kind: 'failed', id: run.id, error: errorText(err), attempts: 1 });
        sub.complete();
      },
    );
    return () => port1.close();
  });
}

/**
 * Runs on a local tinypool of worker threads, `concurrency` at a time (default
 * one per core). A run that throws is reported failed, not retried: it would
 * throw again, since a run depends on its task alone.
 *
 * @example
 * sweep$({ ...options, executor: localPool(2) });
 */
export function localPool(concurrency = availableParallelism()): Executor {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency: expected a positive integer, got ${concurrency}`);
  return {
    label: `${concurrency} local worker${concurrency === 1 ? '' : 's'}`,
    execute: (runs: readonly RunSpec[]): Observable<RunOutcome> =>
      defer(async () => {
        const { Tinypool } = await import('tinypool');
        // One run per core already: each run's matmuls stay on its own thread unless RXNN_THREADS says otherwise.
        const env = { ...process.env, RXNN_THREADS: process.env.RXNN_THREADS ?? '1' } as Record<string, string>;
        // The parent's node flags, less those that only make sense for its own entry (`node --input-type=module -e …`).
        const execArgv = process.execArgv.filter((a) => !/^(--input-type|--eval|-e$|--print|-p$)/.test(a));
        return new Tinypool({
          filename: workerFile(),
          minThreads: concurrency,
          maxThreads: concurrency,
          env,
          execArgv,
        });
      }).pipe(
        mergeMap(
          (pool) =>
            new Observable<RunOutcome>((sub) => {
              // A worker that cannot start (or dies outside a run) ends the sweep with its error.
              const onError = (err: unknown): void => sub.error(err);
              pool.on('error', onError);
              const inner = from(runs)
                .pipe(mergeMap((run) => runOn(pool, run), concurrency))
                .subscribe(sub);
              return () => {
                pool.off('error', onError);
                inner.unsubscribe();
                void pool.destroy();
              };
            }),
        ),
      ),
  };
}
