import type { Observable } from 'rxjs';
import type { EpochRow, RunResult } from './run-one';
import type { RunSpec } from './spec';

/** How one run ended, as an executor reports it. */
export type RunOutcome =
  /** One epoch row of a run still going, with its index in the run's rows (a repeat or a gap is allowed). */
  | { kind: 'epoch'; id: string; index: number; row: EpochRow }
  | { kind: 'done'; id: string; result: RunResult }
  | { kind: 'failed'; id: string; error: string; attempts: number }
  /** Something the person running the sweep should see (Redis lost, Redis back). */
  | { kind: 'notice'; message: string };

/**
 * Runs a sweep's runs somewhere (a local thread pool, a BullMQ queue) and
 * emits each outcome as it comes, in any order; unsubscribing stops it.
 */
export interface Executor {
  /** A short description for the progress line: `4 local workers`, `queue redis://…`. */
  readonly label: string;
  execute(runs: readonly RunSpec[]): Observable<RunOutcome>;
}
