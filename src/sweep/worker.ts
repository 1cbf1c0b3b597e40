/**
 * The local pool's worker-thread entry (tinypool calls the default export with
 * one task): runs it and returns its metrics.
 */
import { runOne, type RunResult } from './run-one';
import type { RunTask } from './spec';

/** Runs one sweep task in this worker thread. */
export default function runTask(task: RunTask): Promise<RunResult> {
  return runOne(task);
}
