/**
 * The local pool's worker-thread entry (tinypool calls the default export with
 * one task): runs it, posting each epoch row on the task's port as the run makes
 * it, and returns its metrics.
 */
import type { MessagePort } from 'node:worker_threads';
import { runOne, type RunResult } from './run-one';
import type { RunTask } from './spec';

/** What the local pool sends: the task, and a port for its live epoch rows. */
export interface WorkerInput {
  task: RunTask;
  port: MessagePort;
}

/** Runs one sweep task in this worker thread. */
export default async function runTask({ task, port }: WorkerInput): Promise<RunResult> {
  try {
    return await runOne(task, (row, index) => port.postMessage({ index, row }));
  } finally {
    port.close();
  }
}
