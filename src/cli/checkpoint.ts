import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratorState } from '../random/generator';
import { UsageError } from './args';
import { writeOutput } from './atomic';
import type { EpochEvent } from '../rx/events';
import type { StateDictJSON } from './statedict';

/**
 * Everything needed to continue a run exactly where it stopped: where to go on
 * (`next`), the model and optimizer states and the generator's state at that
 * point, and what was recorded so far. Taken at an epoch boundary, so it is
 * consistent; one file, written atomically, so it is never half old, half new.
 */
export interface Checkpoint {
  version: 1;
  pipeline: string;
  params: Record<string, unknown>;
  /** The next comparison (index into the pipeline's experiments) and its next epoch. */
  next: { experiment: number; epoch: number };
  rng: GeneratorState;
  models: Record<string, StateDictJSON>;
  optimizers: Record<string, unknown>;
  /** The epoch metrics so far (small); the events are the first `eventCount` lines of events.jsonl. */
  epochs: EpochEvent[];
  eventCount: number;
}

export const CHECKPOINT = 'checkpoint.json';

/** A seed beyond 2^53 is a bigint, which JSON lacks: it is stored as a decimal string and read back as a bigint. */
export function writeCheckpoint(dir: string, cp: Checkpoint): void {
  writeOutput(
    join(dir, CHECKPOINT),
    JSON.stringify(cp, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
  );
}

/** Reads `dir`'s checkpoint; a missing or unreadable one is a usage error naming the path. */
export function readCheckpoint(dir: string): Checkpoint {
  const path = join(dir, CHECKPOINT);
  if (!existsSync(path))
    throw new UsageError(`rxnn: --resume ${dir}: no ${CHECKPOINT} there; expected the --out folder of an earlier run`);
  let cp: Checkpoint;
  try {
    cp = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`rxnn: --resume ${dir}: ${CHECKPOINT} is not valid JSON (${(err as Error).message})`);
  }
  if (cp?.version !== 1 || !cp.next || !cp.rng || !cp.models || !Array.isArray(cp.epochs)) {
    throw new UsageError(`rxnn: --resume ${dir}: ${CHECKPOINT} is not an rxnn checkpoint (version 1)`);
  }
  const seed = cp.params?.seed;
  if (typeof seed === 'string' && /^-?\d+$/.test(seed)) cp.params.seed = BigInt(seed);
  return cp;
}

/** The first `count` events of `dir`/events.jsonl: those the checkpoint covers (a later Ctrl-C may have written more). */
export function readEvents(dir: string, count: number): Record<string, unknown>[] {
  const path = join(dir, 'events.jsonl');
  const lines = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];
  if (lines.length < count) {
    throw new UsageError(
      `rxnn: --resume ${dir}: events.jsonl has ${lines.length} events, the checkpoint expects at least ${count}`,
    );
  }
  return lines.slice(0, count).map((l) => JSON.parse(l));
}
