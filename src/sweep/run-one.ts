import { filter } from 'rxjs';
import { setBackend } from '../backend';
import { run$, type Pipeline } from '../experiments';
import type { TrainingError } from '../rx/errors';
import type { EpochEvent } from '../rx/events';
import { rxnnVersion, type PipelineRef, type RunTask } from './spec';

/** A metric as it crosses threads and Redis (JSON): a number, or 'NaN' / 'Infinity' / '-Infinity'. */
export type Encoded = number | string;

/** One epoch of one model: [model, epoch, train metric, test metric]. */
export type EpochRow = [model: string, epoch: number, train: Encoded, test: Encoded];

/** Where a run stopped because a model's loss became NaN or infinite. */
export interface Divergence {
  model: string;
  epoch: number;
  step: number;
  error: string;
}

/**
 * What a run returns: its per-epoch metrics in the order the pipeline emitted
 * them; where a model diverged, the rows up to there and where it happened (a
 * result, not a failure: leaving such runs out would flatter the model that diverges).
 */
export interface RunResult {
  rows: EpochRow[];
  diverged?: Divergence;
}

/** A number as JSON keeps it: non-finite ones as their names. */
export const encode = (x: number): Encoded => (Number.isFinite(x) ? x : String(x));
/** The number back; JSON keeps finite doubles exact (shortest round-trip text). */
export const decode = (x: Encoded): number => (typeof x === 'number' ? x : Number(x));

/**
 * Loads a pipeline by module and export name; a missing one is an error naming both.
 *
 * @example
 * loadPipeline({ name: 'bn-placement', module: 'rxnn/pipelines', exportName: 'bnPlacement' });
 */
export function loadPipeline(ref: PipelineRef): Pipeline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time (a worker loads what the sweep names)
  const mod = require(ref.module) as Record<string, unknown>;
  const p = mod[ref.exportName] as Pipeline | undefined;
  if (!p || typeof p.setup !== 'function' || !p.defaults) {
    throw new Error(`pipeline '${ref.name}': ${ref.module} has no pipeline export '${ref.exportName}'`);
  }
  return p;
}

/**
 * Runs one task to the end and returns its per-epoch metrics. The pipeline
 * seeds the generator itself from the params, so the result depends on the
 * task alone, not on what ran before in this thread or process. `onEpoch`, when
 * given, sees each row as the run makes it, with its index in `rows`.
 */
export async function runOne(task: RunTask, onEpoch?: (row: EpochRow, index: number) => void): Promise<RunResult> {
  if (task.rxnn !== rxnnVersion()) {
    throw new Error(`run ${task.id} was made by rxnn ${task.rxnn}; this worker is rxnn ${rxnnVersion()}`);
  }
  if (task.backend) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the gpu backend registers itself on load, only when asked for
    if (task.backend.name === 'gpu') require('../backend/gpu');
    setBackend(task.backend.name, task.backend.mode ? { mode: task.backend.mode } : undefined);
  }
  const pipeline = loadPipeline(task.pipeline);
  const rows: EpochRow[] = [];
  const row = (e: EpochEvent): EpochRow => [e.model ?? 'model', e.epoch, encode(e.train), encode(e.test)];
  return new Promise<RunResult>((resolve, reject) => {
    run$(pipeline, task.params)
      .pipe(filter((e): e is EpochEvent => e.kind === 'epoch'))
      .subscribe({
        next: (e) => {
          const r = row(e);
          rows.push(r);
          onEpoch?.(r, rows.length - 1);
        },
        error: (err: unknown) => {
          // By name, not instanceof: the pipeline may come with its own copy of rxnn.
          const t = err as TrainingError;
          const nonFinite = t?.name === 'TrainingError' && /\bloss is (NaN|-?Infinity)\b/.test(t.message);
          if (!nonFinite) return reject(err instanceof Error ? err : new Error(String(err)));
          const where = { model: t.model ?? 'model', epoch: t.epoch, step: t.step, error: t.message };
          resolve({ rows, diverged: where });
        },
        complete: () => resolve({ rows }),
      });
  });
}
