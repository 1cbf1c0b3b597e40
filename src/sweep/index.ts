/**
 * Sweeps: one pipeline over many seeds and settings, in parallel on a local
 * worker-thread pool or on BullMQ workers across machines, with each metric's
 * mean, sd, median and Student-t 95% CI, and paired comparisons over the seeds.
 */
export { sweep$ } from './sweep';
export type { SweepOptions, SweepEvent, SweepProgress } from './sweep';
export { localPool } from './pool';
export type { Executor, RunOutcome } from './executor';
export { parseSeeds, parseSet, expandGrid, settingLabel, SweepInputError, MAX_SEED } from './grid';
export type { GridAxis, Setting } from './grid';
export { describeSample, paired, mean, sd, median, studentTQuantile, studentTCdf } from './stats';
export type { Stats, Paired } from './stats';
export { summarize, comparisonLine, rankingRows } from './aggregate';
export type { SweepSummary, EpochStats, Comparison } from './aggregate';
export { runsCsv, parseRunsCsv, summaryCsv, sweepReportSpec } from './outputs';
export { planRuns, runId, modelSeedOf, rxnnVersion } from './spec';
export type { PipelineRef, RunSpec, RunTask, BackendChoice } from './spec';
export { runOne, loadPipeline } from './run-one';
export type { RunResult, EpochRow, Divergence } from './run-one';
export { queueExecutor, startWorker, probeRedis, checkRedisUrl, QueueError, QUEUE_NAME } from './queue';
export type { QueueOptions, WorkerOptions } from './queue';
