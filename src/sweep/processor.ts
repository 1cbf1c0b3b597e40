/**
 * BullMQ's sandboxed processor for `rxnn worker`: each job runs in a child
 * process (runs are CPU-bound), its rows so far are its progress, and its
 * return value, the run's metrics, is stored in Redis as the job's result.
 */
import { runOne, type EpochRow, type RunResult } from './run-one';
import type { RunTask } from './spec';

// A worker runs `--concurrency` runs side by side: each run's matmuls stay on its own core unless RXNN_THREADS says otherwise.
process.env.RXNN_THREADS ??= '1';

/** Runs the job's task, reporting its rows so far as the job's progress after each epoch. */
export default function processJob(job: {
  data: RunTask;
  updateProgress(progress: object): Promise<void>;
}): Promise<RunResult> {
  const rows: EpochRow[] = [];
  return runOne(job.data, (row) => {
    rows.push(row);
    // Live rows are a convenience: the result carries them all, so a failed update is let go.
    job.updateProgress({ rows }).catch(() => undefined);
  });
}
