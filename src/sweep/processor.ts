/**
 * BullMQ's sandboxed processor for `rxnn worker`: each job runs in a child
 * process (runs are CPU-bound), and its return value, the run's metrics, is
 * stored in Redis as the job's result.
 */
import { runOne, type RunResult } from './run-one';
import type { RunTask } from './spec';

// A worker runs `--concurrency` runs side by side: each run's matmuls stay on its own core unless RXNN_THREADS says otherwise.
process.env.RXNN_THREADS ??= '1';

/** Runs the job's task. */
export default function processJob(job: { data: RunTask }): Promise<RunResult> {
  return runOne(job.data);
}
