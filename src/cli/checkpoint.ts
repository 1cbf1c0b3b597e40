import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratorState } from '../random/generator';
import type { EpochEvent } from '../rx/events';
import { UsageError } from './args';
import { writeOutput } from './atomic';
import { parseCheckpoint } from './checkpoint-schema';
import { LogMark, LogProblem, scanLog } from './event-log';
import { parseMetricsRow } from './records';
import type { StateDictJSON } from './statedict';

/**
 * Everything needed to continue a run exactly where it stopped: where to go on
 * (`next`), the model and optimizer states and the generator's state at that
 * point, and how far events.jsonl and metrics.csv reach at that point. Taken
 * at an epoch boundary, so it is consistent; one file, written atomically, so
 * it is never half old, half new.
 */
export interface Checkpoint {
  version: 2;
  pipeline: string;
  params: Record<string, unknown>;
  /** What events.jsonl keeps: every step, or the epochs only. */
  events: 'steps' | 'epochs';
  /** Whether the run trained all its epochs. */
  finished: boolean;
  /** The next comparison (index into the pipeline's experiments) and its next epoch. */
  next: { experiment: number; epoch: number };
  rng: GeneratorState;
  models: Record<string, StateDictJSON>;
  optimizers: Record<string, unknown>;
  /** The lengths of events.jsonl and metrics.csv this checkpoint is consistent with. */
  files: { events: LogMark; metrics: LogMark };
  /** The epoch both files end with at those lengths (null before the first). */
  last: { model: string; epoch: number } | null;
}

export const CHECKPOINT = 'checkpoint.json';

/** A seed beyond 2^53 is a bigint, which JSON lacks: it is stored as a decimal string and read back as a bigint. */
export function writeCheckpoint(dir: string, cp: Checkpoint): void {
  writeOutput(
    join(dir, CHECKPOINT),
    JSON.stringify(cp, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
  );
}

/** An inconsistent or malformed checkpoint: one usage line (exit 2) naming the folder, the file and the field. */
export const badResume = (dir: string, file: string, problem: string): UsageError =>
  new UsageError(`rxnn: --resume ${dir}: ${file}: ${problem}; nothing was changed`);

/**
 * Reads and validates `dir`'s checkpoint against the schema; a missing,
 * unreadable or malformed one is a usage error naming the file and the field.
 */
export function readCheckpoint(dir: string): Checkpoint {
  const path = join(dir, CHECKPOINT);
  if (!existsSync(path))
    throw new UsageError(`rxnn: --resume ${dir}: no ${CHECKPOINT} there; expected the --out folder of an earlier run`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw badResume(dir, CHECKPOINT, `not valid JSON (${(err as Error).message})`);
  }
  const r = parseCheckpoint(data);
  if (!r.ok) throw badResume(dir, CHECKPOINT, r.error);
  const cp = r.value as unknown as Checkpoint;
  const seed = cp.params.seed;
  if (typeof seed === 'string') cp.params.seed = BigInt(seed);
  return cp;
}

/** What the run's setup says the checkpoint must agree with. */
export interface RunPlan {
  /** The pipeline's defaults: the checkpoint's params have the same keys and kinds of values. */
  defaults: object;
  /** Model names per experiment, in training order. */
  experiments: string[][];
}

const kind = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v === 'bigint' ? 'number' : typeof v);

/** The checkpoint's params have the keys of the pipeline's defaults and values of the same kinds (before setup uses them). */
export function checkParams(dir: string, cp: Checkpoint, defaults: object): void {
  for (const [k, v] of Object.entries(defaults)) {
    if (!(k in cp.params)) throw badResume(dir, CHECKPOINT, `field params.${k}: missing`);
    if (kind(cp.params[k]) !== kind(v))
      throw badResume(dir, CHECKPOINT, `field params.${k}: expected ${kind(v)}, got ${JSON.stringify(cp.params[k])}`);
  }
  for (const k of Object.keys(cp.params))
    if (!(k in defaults)) throw badResume(dir, CHECKPOINT, `field params.${k}: not a parameter of ${cp.pipeline}`);
}

/**
 * Cross-checks a schema-valid checkpoint with the pipeline and with
 * events.jsonl and metrics.csv in `dir`: params of the pipeline's kinds,
 * `next` inside the run, one model state per model, and files that reach the
 * recorded lengths, end where the checkpoint's last epoch does, and hold
 * whole lines. Feeds each metrics row up to the checkpoint to `row`. Throws
 * a usage error naming the file and the field at the first disagreement.
 */
export function checkAgainstFiles(dir: string, cp: Checkpoint, plan: RunPlan, row: (e: EpochEvent) => void): void {
  const bad = (file: string, problem: string): UsageError => badResume(dir, file, problem);
  checkParams(dir, cp, plan.defaults);

  const epochs = cp.params.epochs as number;
  const nExp = plan.experiments.length;
  const { experiment, epoch } = cp.next;
  if (experiment > nExp) throw bad(CHECKPOINT, `field next.experiment is ${experiment}, expected 0 to ${nExp}`);
  if (experiment < nExp && epoch > epochs)
    throw bad(CHECKPOINT, `field next.epoch is ${epoch}, expected 1 to ${epochs} (params.epochs)`);
  if (experiment === nExp && epoch !== 1)
    throw bad(CHECKPOINT, `field next.epoch is ${epoch}, expected 1 after the last experiment`);
  if (cp.finished !== (experiment === nExp))
    throw bad(CHECKPOINT, `field finished is ${cp.finished}, but next is experiment ${experiment} of ${nExp}`);

  const names = plan.experiments.flat();
  for (const n of names) if (!(n in cp.models)) throw bad(CHECKPOINT, `field models.${n}: missing`);
  for (const n of Object.keys(cp.models))
    if (!names.includes(n)) throw bad(CHECKPOINT, `field models.${n}: not a model of ${cp.pipeline}`);

  // One metrics row per model and finished epoch, before `next`.
  let rows = 0;
  for (let i = 0; i < Math.min(experiment, nExp); i++) rows += epochs * plan.experiments[i].length;
  if (experiment < nExp) rows += (epoch - 1) * plan.experiments[experiment].length;
  const prev =
    rows === 0 ? null : epoch > 1 ? { experiment, epoch: epoch - 1 } : { experiment: experiment - 1, epoch: epochs };
  const last = prev && { model: plan.experiments[prev.experiment].at(-1)!, epoch: prev.epoch };
  if (JSON.stringify(cp.last) !== JSON.stringify(last))
    throw bad(CHECKPOINT, `field last is ${JSON.stringify(cp.last)}, but next implies ${JSON.stringify(last)}`);
  if (cp.files.metrics.lines !== rows + 1)
    throw bad(
      CHECKPOINT,
      `field files.metrics.lines is ${cp.files.metrics.lines}, but next implies ${rows + 1} (a header and ${rows} rows)`,
    );
  if (cp.files.events.lines < rows)
    throw bad(
      CHECKPOINT,
      `field files.events.lines is ${cp.files.events.lines}, fewer than the ${rows} epochs before next`,
    );

  const scan = (file: string, mark: LogMark, each: (line: string, n: number) => void): string | undefined => {
    try {
      return scanLog(join(dir, file), mark, each);
    } catch (err) {
      if (err instanceof LogProblem) throw bad(file, `${err.message} (checkpoint.json files.${file.split('.')[0]})`);
      throw err;
    }
  };
  const lastEvent = scan('events.jsonl', cp.files.events, (line, n) => {
    try {
      JSON.parse(line);
    } catch {
      throw new LogProblem(`line ${n} is not JSON: ${JSON.stringify(line.slice(0, 60))}`);
    }
  });
  const lastRow = scan('metrics.csv', cp.files.metrics, (line, n) => {
    if (n === 1) {
      if (!line.startsWith('model,epoch,')) throw new LogProblem(`line 1 is not the header: ${JSON.stringify(line)}`);
      return;
    }
    const e = parseMetricsRow(line);
    if (!e) throw new LogProblem(`line ${n} is not a metrics row: ${JSON.stringify(line.slice(0, 60))}`);
    row(e);
  });
  if (last) {
    const ev = JSON.parse(lastEvent ?? 'null') as { kind?: string; model?: string; epoch?: number } | null;
    if (ev?.kind !== 'epoch' || ev.model !== last.model || ev.epoch !== last.epoch)
      throw bad(
        'events.jsonl',
        `line ${cp.files.events.lines} is not the epoch event of ${last.model} epoch ${last.epoch} that checkpoint.json's field last names`,
      );
    const r = parseMetricsRow(lastRow ?? '');
    if (r?.model !== last.model || r.epoch !== last.epoch)
      throw bad(
        'metrics.csv',
        `line ${rows + 1} is not the row of ${last.model} epoch ${last.epoch} that checkpoint.json's field last names`,
      );
  }
}
