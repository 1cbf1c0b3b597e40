/**
 * Sweeps: how throughput scales with local workers, what a run costs on the
 * BullMQ + Redis path over the local pool, and how many jobs per second
 * BullMQ on one local redis-server moves when the jobs do nothing.
 *
 *   scaling   RUNS (128) bn-placement runs (default params) on localPool(1) and localPool(2):
 *             runs/s end to end (pool start included), best of REPEATS (2) each; target ≥ 1.8×;
 *             with the cores the sweep actually got (its CPU time / wall time), since other
 *             work on a shared machine takes its share of both cores
 *   overhead  tiny runs (1 epoch, 100 examples) on localPool(1) and on one
 *             `rxnn worker --concurrency 1` (sandboxed child) via a real redis-server:
 *             (queue wall − local wall) / runs
 *   bullmq    N no-op jobs: addBulk rate, then one in-process Worker (concurrency 100) drain rate
 *
 * Run: npm run build && npx ts-node bench/sweep-scaling.ts [scaling|queue]  (about a minute
 * on 2 cores; the queue parts need /usr/bin/redis-server). Prints one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { localPool, queueExecutor, sweep$, type Executor } from '../src/sweep';

const ref = { name: 'bn-placement', module: 'rxnn/pipelines', exportName: 'bnPlacement' };
const REPEATS = Number(process.env.REPEATS ?? 2);
// Enough runs that starting the workers (each compiles the engine afresh) is a small part of the time.
const RUNS = Number(process.env.RUNS ?? 128);
const BIN = join(__dirname, '..', 'bin', 'rxnn.js');

async function wallMs(executor: Executor, seeds: number[], params: Record<string, unknown> = {}): Promise<number> {
  const t = performance.now();
  await lastValueFrom(sweep$({ pipeline: ref, seeds, params, executor }));
  return performance.now() - t;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const round = (x: number, d = 3): number => Number(x.toFixed(d));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts a process and resolves once its output matches `ready`. */
function startUntil(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (d: Buffer): void => {
      out += String(d);
      if (ready.test(out)) resolve(p);
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', () => reject(new Error(`${cmd} exited:\n${out}`)));
  });
}

/** Wall and CPU (all threads of this process) of one sweep. */
async function timed(executor: Executor, seeds: number[]): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const wall = await wallMs(executor, seeds);
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function scaling(): Promise<Record<string, number>> {
  const seeds = range(RUNS);
  // Interleaved (1, 2, 1, 2, …), best of each: other load on the machine drifts less between the two.
  const best = [
    { wall: Infinity, cpu: 0 },
    { wall: Infinity, cpu: 0 },
  ];
  for (let i = 0; i < REPEATS; i++) {
    for (const w of [1, 2]) {
      const t = await timed(localPool(w), seeds);
      if (t.wall < best[w - 1].wall) best[w - 1] = t;
    }
  }
  const [one, two] = best;
  return {
    runs: seeds.length,
    runsPerSecond1: round((seeds.length / one.wall) * 1000),
    runsPerSecond2: round((seeds.length / two.wall) * 1000),
    speedup: round(one.wall / two.wall),
    // CPU the sweep used per wall second: 2 means both cores were ours the whole time.
    coresUsed1: round(one.cpu / one.wall, 2),
    coresUsed2: round(two.cpu / two.wall, 2),
    cpuMsPerRun1: round(one.cpu / seeds.length, 1),
    cpuMsPerRun2: round(two.cpu / seeds.length, 1),
  };
}

async function queuePart(): Promise<Record<string, number>> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = await startUntil(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept/,
  );
  const worker = await startUntil(
    process.execPath,
    [BIN, 'worker', '--queue', url, '--concurrency', '1'],
    /taking runs/,
  );
  try {
    const tiny = { epochs: 1, numExamples: 100 };
    const n = 100;
    const local = await wallMs(localPool(1), range(n), tiny);
    // Seeds apart from the local ones' (ids differ), so no run is found finished already.
    const queued = await wallMs(
      queueExecutor(url, { pollMs: 100 }),
      range(n).map((s) => s + 1000),
      tiny,
    );
    const overheadMs = (queued - local) / n;

    const { Queue, Worker } = await import('bullmq');
    const jobs = 5000;
    const q = new Queue('bench-noop', { connection: { host: '127.0.0.1', port } });
    let t = performance.now();
    for (let i = 0; i < jobs; i += 500)
      await q.addBulk(range(500).map((k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
    const addPerS = (jobs / (performance.now() - t)) * 1000;
    t = performance.now();
    let done = 0;
    await new Promise<void>((resolve) => {
      const w = new Worker('bench-noop', () => Promise.resolve(1), {
        connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
        concurrency: 100,
      });
      w.on('completed', () => {
        if (++done === jobs) void w.close().then(() => resolve());
      });
    });
    const processPerS = (jobs / (performance.now() - t)) * 1000;
    await q.close();
    return {
      tinyRuns: n,
      localMsPerRun: round(local / n, 1),
      queueMsPerRun: round(queued / n, 1),
      queueOverheadMsPerRun: round(overheadMs, 1),
      bullmqNoopJobs: jobs,
      bullmqAddPerSecond: Math.round(addPerS),
      bullmqProcessPerSecond: Math.round(processPerS),
    };
  } finally {
    worker.kill('SIGTERM');
    redis.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  const only = ['scaling', 'queue'].find((a) => process.argv.includes(a));
  const result = {
    loadBefore: round(load, 2),
    ...(only !== 'queue' ? { scaling: await scaling() } : {}),
    ...(only !== 'scaling' ? { queue: await queuePart() } : {}),
    loadAfter: round(loadavg()[0], 2),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.exit(0);
}

void main();
