import { dirname } from 'node:path';
import { Observable } from 'rxjs';
import type { Executor, RunOutcome } from './executor';
import { settingLabel } from './grid';
import { errorText, workerFile } from './pool';
import type { EpochRow, RunResult } from './run-one';
import type { RunSpec } from './spec';

type BullMQ = typeof import('bullmq');
type Redis = import('ioredis').Redis;
type RedisCtor = new (url: string, options: Record<string, unknown>) => Redis;

/** The BullMQ queue a sweep's runs go to. */
export const QUEUE_NAME = 'rxnn-sweep';

/** A queue that cannot be used (no BullMQ, a bad URL, Redis unreachable): one line for the command. */
export class QueueError extends Error {
  override name = 'QueueError';
}

/** BullMQ and its ioredis, loaded only on the queue path (an optional peer dependency). */
function load(): { bullmq: BullMQ; Redis: RedisCtor } {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- bullmq is optional: loaded only when a queue is asked for */
    const bullmq = require('bullmq') as BullMQ;
    const ioredis = require(require.resolve('ioredis', { paths: [dirname(require.resolve('bullmq'))] })) as {
      default: RedisCtor;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { bullmq, Redis: ioredis.default };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND')
      throw new QueueError('--queue needs BullMQ, which is not installed; run: npm install bullmq');
    throw err;
  }
}

/** Checks that `url` is a Redis URL; returns it. */
export function checkRedisUrl(url: string): string {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname)
    throw new QueueError(`--queue '${url}': expected a Redis URL like redis://HOST:PORT`);
  return url;
}

/**
 * Connects once to `url` and pings, giving up after `timeoutMs`: an unreachable
 * Redis is a QueueError naming the URL and the error, never a hang.
 */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  checkRedisUrl(url);
  const { Redis } = load();
  const c = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause: Error | undefined;
  c.on('error', (err: Error) => (cause ??= err));
  const timer = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs).unref();
  });
  try {
    await Promise.race([c.connect().then(() => c.ping()), timer]);
  } catch (err) {
    const why = errorText(cause ?? err);
    // A server that is not Redis (an HTTP proxy, say) makes ioredis report a protocol error.
    if (/Protocol error/.test(why))
      throw new QueueError(
        `--queue ${url}: the server there does not answer as Redis (${why.replace(/\s*Please report this\.?/, '')})`,
      );
    throw new QueueError(`--queue ${url}: cannot reach Redis: ${why}`);
  } finally {
    c.disconnect();
  }
}

/** A connection that reconnects every half second for ever; requests fail after two tries, so a lost Redis shows at once. */
function submitterConnection(url: string, Redis: RedisCtor): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 2, retryStrategy: () => 500 });
  c.on('error', () => undefined);
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the queue path can be told. */
export interface QueueOptions {
  /** Tries per run before it is reported failed (default 3). */
  attempts?: number;
  /** How often the submitter looks at its pending runs, in ms (default 250). */
  pollMs?: number;
  /** The BullMQ queue's name (default rxnn-sweep). */
  queueName?: string;
}

/**
 * Runs on BullMQ workers (`rxnn worker --queue URL`, on any machines): adds each
 * run as a job whose id is the run's id (so adding it again is a no-op), then
 * watches the jobs until each has completed or failed its last attempt. Results
 * stay in Redis until `release` is called with them (after the files are
 * written). A lost Redis is a notice, then the watch goes on; a job that
 * vanished (Redis restarted without its data) is added again.
 *
 * @example
 * sweep$({ ...options, executor: queueExecutor('redis://127.0.0.1:6379') });
 */
export function queueExecutor(
  url: string,
  o: QueueOptions = {},
): Executor & {
  /** Removes the jobs of runs `ids` (and their results) from Redis; call it once their files are written. */
  release(ids: readonly string[]): Promise<void>;
} {
  checkRedisUrl(url);
  const attempts = o.attempts ?? 3;
  const pollMs = o.pollMs ?? 250;
  const name = o.queueName ?? QUEUE_NAME;
  const open = (): { queue: InstanceType<BullMQ['Queue']>; close: () => Promise<void>; bullmq: BullMQ } => {
    const { bullmq, Redis } = load();
    const conn = submitterConnection(url, Redis);
    const queue = new bullmq.Queue(name, { connection: conn });
    queue.on('error', () => undefined);
    return { queue, bullmq, close: () => queue.close().finally(() => conn.disconnect()) };
  };
  const jobOf = (r: RunSpec): { name: string; data: RunSpec; opts: Record<string, unknown> } => ({
    name: r.pipeline.name,
    data: r,
    opts: {
      jobId: r.id,
      attempts,
      backoff: { type: 'fixed', delay: 200 },
      removeOnComplete: false,
      removeOnFail: false,
    },
  });
  return {
    label: `queue ${url}`,
    execute: (runs) =>
      new Observable<RunOutcome>((sub) => {
        const { queue, close, bullmq } = open();
        let stopped = false;
        const pending = new Map(runs.map((r) => [r.id, r]));
        /** Live rows emitted per run so far (a retried run starts its progress again: its rows repeat). */
        const seen = new Map<string, number>();
        let toAdd = [...runs];
        let down: string | undefined;
        const watch = async (): Promise<void> => {
          while (!stopped && pending.size) {
            try {
              if (toAdd.length) {
                await queue.addBulk(toAdd.map(jobOf));
                toAdd = [];
              }
              for (const [id, run] of pending) {
                if (stopped) return;
                const job = await bullmq.Job.fromId(queue, id);
                if (!job) {
                  toAdd.push(run);
                  continue;
                }
                if (!job.finishedOn) {
                  // A run still going: the rows its worker has reported (job progress) that are new here.
                  const rows = (job.progress as { rows?: EpochRow[] } | undefined)?.rows;
                  const from = seen.get(id) ?? 0;
                  if (Array.isArray(rows) && rows.length > from) {
                    seen.set(id, rows.length);
                    for (let i = from; i < rows.length; i++) sub.next({ kind: 'epoch', id, index: i, row: rows[i] });
                  }
                  continue;
                }
                const state = await job.getState();
                if (state === 'completed') {
                  pending.delete(id);
                  sub.next({ kind: 'done', id, result: job.returnvalue as RunResult });
                } else if (state === 'failed') {
                  pending.delete(id);
                  sub.next({ kind: 'failed', id, error: job.failedReason, attempts: job.attemptsMade });
                }
              }
              if (down) {
                sub.next({ kind: 'notice', message: `Redis at ${url} is back; the sweep goes on` });
                down = undefined;
              }
            } catch (err) {
              if (!down) {
                down = errorText(err);
                sub.next({
                  kind: 'notice',
                  message: `lost Redis at ${url} (${down}); finished results stay in Redis, waiting for it to come back`,
                });
              }
            }
            if (pending.size) await sleep(pollMs);
          }
          if (!stopped) sub.complete();
        };
        watch().catch((err) => sub.error(err));
        return () => {
          stopped = true;
          void close();
        };
      }),
    async release(ids) {
      const { queue, close } = open();
      try {
        for (const id of ids) await queue.remove(id);
      } finally {
        await close();
      }
    },
  };
}

/** What `rxnn worker` can be told. */
export interface WorkerOptions {
  /** Runs at once, each in its own child process (default 1). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (BullMQ's lockDuration; default 30000 ms). */
  lockMs?: number;
  /** How often the worker looks for stalled jobs (BullMQ's stalledInterval; default 30000 ms). */
  stalledMs?: number;
  queueName?: string;
  /** Where the worker's lines go. */
  log?: (line: string) => void;
}

/**
 * A BullMQ worker taking sweep runs from the queue at `url`, each run in a
 * sandboxed child process. A job whose worker died (its lock expired) is
 * handed to another worker by BullMQ's stalled-job check.
 *
 * @example
 * const w = await startWorker('redis://127.0.0.1:6379', { concurrency: 2 });
 * process.on('SIGTERM', () => void w.close());
 */
export async function startWorker(url: string, o: WorkerOptions = {}): Promise<{ close(): Promise<void> }> {
  await probeRedis(url);
  const { bullmq, Redis } = load();
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const conn = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 1000 });
  let down = false;
  conn.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log(`lost Redis at ${url} (${errorText(err)}); reconnecting`);
  });
  conn.on('ready', () => {
    if (!down) return;
    down = false;
    log(`Redis at ${url} is back`);
  });
  const worker = new bullmq.Worker(o.queueName ?? QUEUE_NAME, workerFile('processor.js'), {
    connection: conn,
    concurrency: o.concurrency ?? 1,
    useWorkerThreads: false,
    lockDuration: o.lockMs ?? 30000,
    stalledInterval: o.stalledMs ?? 30000,
    maxStalledCount: 2,
  });
  const describe = (data: RunSpec | undefined): string =>
    data ? `${data.pipeline?.name} seed ${data.seed} ${settingLabel(data.setting ?? {})}` : '';
  worker.on('active', (job) => log(`started ${job.id} ${describe(job.data as RunSpec)}`));
  worker.on('completed', (job) => log(`finished ${job.id}`));
  worker.on('failed', (job, err) =>
    log(`failed ${job?.id} (attempt ${job?.attemptsMade} of ${job?.opts.attempts ?? 1}): ${errorText(err)}`),
  );
  worker.on('stalled', (id) => log(`stalled ${id}: its worker stopped answering; back in the queue`));
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      conn.disconnect();
    },
  };
}
