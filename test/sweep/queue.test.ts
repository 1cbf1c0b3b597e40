import { afterEach, describe, expect, it } from 'vitest';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { queueExecutor, sweep$, type SweepEvent } from '../../src/sweep';
import { spawnSync } from 'node:child_process';
import { FAULTY, freePort, read, rxnn, startRedis, startRxnn, stopRedis, tmp, type Proc } from './helpers';

/** Processes a test started, stopped after it whatever happened. */
let started: Proc[] = [];
afterEach(async () => {
  for (const p of started) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    if (p.detached) p.killGroup();
    else p.child.kill('SIGKILL');
  }
  await Promise.all(started.map((p) => p.exit));
  started = [];
});
const keep = <T extends Proc>(p: T): T => (started.push(p), p);

/** A worker with short locks, so that a dead worker's run is handed over within seconds. */
const worker = async (url: string): Promise<Proc> => {
  const w = keep(
    startRxnn(['worker', '--queue', url, '--concurrency', '1', '--lock-ms', '2000', '--stalled-ms', '1000'], {
      detached: true,
    }),
  );
  await w.waitFor(/taking runs from/);
  return w;
};
/** The run ids of a runs.csv, each once. */
const runIds = (csv: string): string[] => [
  ...new Set(
    csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]),
  ),
];
const redisKeys = (port: number): string[] =>
  spawnSync('redis-cli', ['-p', String(port), '--scan', '--pattern', 'bull:rxnn-sweep:r*'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

describe('rxnn sweep --queue (BullMQ on a real redis-server)', () => {
  it('a worker SIGKILLed mid-run: its run goes to another worker; runs.csv has every run once and equals the local sweep', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    keep(await startRedis(port));
    const args = ['sweep', 'bn-placement', '--seeds', '0..5', '--epochs', '10'];
    const w1 = await worker(url);
    const dir = tmp();
    const sub = keep(startRxnn([...args, '--queue', url, '--out', dir]));
    const [, killed] = await w1.waitFor(/started (r[0-9a-f]{20})/);
    w1.killGroup();
    const [w2, w3] = [await worker(url), await worker(url)];
    expect(await sub.exit).toBe(0);
    const others = w2.out() + w3.out();
    expect(others).toContain(`stalled ${killed}: its worker stopped answering; back in the queue`);
    expect(others).toContain(`started ${killed}`);
    expect(others).toContain(`finished ${killed}`);
    const local = tmp();
    expect(rxnn([...args, '--workers', '2', '--out', local]).status).toBe(0);
    const csv = read(dir, 'runs.csv');
    expect(csv).toBe(read(local, 'runs.csv'));
    expect(runIds(csv)).toHaveLength(6);
    expect(csv.trim().split('\n')).toHaveLength(1 + 6 * 3 * 10);
    expect(read(dir, 'summary.csv')).toBe(read(local, 'summary.csv'));
    // written, so released: no job of the sweep is left in Redis
    expect(redisKeys(port)).toEqual([]);
  });

  it("sweep$ on the queue: a run's epoch rows arrive while it trains (job progress), each once and in order", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    keep(await startRedis(port));
    await worker(url);
    let tick = 0;
    const timer = setInterval(() => tick++, 1);
    const ticks: number[] = [];
    let events: SweepEvent[];
    try {
      events = await lastValueFrom(
        sweep$({
          pipeline: { name: 'bn-placement', module: 'rxnn/pipelines', exportName: 'bnPlacement' },
          seeds: [0],
          params: { epochs: 60 },
          executor: queueExecutor(url, { pollMs: 20 }),
        }).pipe(
          tap((e) => e.kind === 'run' && ticks.push(tick)),
          toArray(),
        ),
      );
    } finally {
      clearInterval(timer);
    }
    const end = events.find((e) => e.kind === 'runEnd') as Extract<SweepEvent, { kind: 'runEnd'; status: 'done' }>;
    expect(end.status).toBe('done');
    const rows = events.filter((e) => e.kind === 'run').map((e) => e.kind === 'run' && e.event);
    expect(rows.map((r) => r && [r.model, r.epoch])).toEqual(end.result.rows.map(([m, ep]) => [m, ep]));
    // Live: the rows came over several polls, not in one burst at the run's end.
    expect(new Set(ticks).size).toBeGreaterThan(1);
  });

  it('the submitter killed and started again: finished runs are picked up from Redis, no run runs twice', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    keep(await startRedis(port));
    const w = await worker(url);
    const args = ['sweep', 'bn-placement', '--seeds', '0..5', '--epochs', '10', '--queue', url];
    const first = keep(startRxnn([...args, '--out', tmp()]));
    await first.waitFor(/runs [1-3]\/6/);
    first.child.kill('SIGKILL');
    await first.exit;
    const dir = tmp();
    const again = keep(startRxnn([...args, '--out', dir]));
    expect(await again.exit).toBe(0);
    const starts = [...w.out().matchAll(/started (r[0-9a-f]{20})/g)].map((m) => m[1]);
    expect(starts).toHaveLength(6);
    expect(new Set(starts).size).toBe(6);
    expect(runIds(read(dir, 'runs.csv'))).toEqual(expect.arrayContaining(starts));
  });

  it('Redis restarted mid-sweep: a clear message, then the sweep goes on to the same results', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const data = tmp();
    let redis = keep(await startRedis(port, data));
    await worker(url);
    await worker(url);
    const args = ['sweep', 'bn-placement', '--seeds', '0..9', '--epochs', '10'];
    const dir = tmp();
    const sub = keep(startRxnn([...args, '--queue', url, '--out', dir]));
    await sub.waitFor(/runs [1-5]\/10/);
    await stopRedis(redis);
    await sub.waitFor(
      new RegExp(
        `lost Redis at redis://127\\.0\\.0\\.1:${port} \\(.+\\); finished results stay in Redis, waiting for it to come back`,
      ),
    );
    redis = keep(await startRedis(port, data));
    expect(await sub.exit).toBe(0);
    expect(sub.out()).toContain(`Redis at ${url} is back; the sweep goes on`);
    const local = tmp();
    expect(rxnn([...args, '--workers', '2', '--out', local]).status).toBe(0);
    expect(read(dir, 'runs.csv')).toBe(read(local, 'runs.csv'));
  });

  it('a run that throws is retried a bounded number of times, then reported failed; the sweep finishes and names it', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    keep(await startRedis(port));
    const [w1, w2] = [await worker(url), await worker(url)];
    const args = ['sweep', FAULTY, '--seeds', '0..3', '--epochs', '2'];
    const dir = tmp();
    const sub = keep(startRxnn([...args, '--queue', url, '--attempts', '2', '--out', dir]));
    expect(await sub.exit).toBe(1);
    const [, id] =
      sub.out().match(/1 run failed:\n {2}(r[0-9a-f]{20}) seed 2 default: seed 2 is cursed \(2 attempts\)/) ?? [];
    expect(id).toBeDefined();
    const tries = (w1.out() + w2.out()).match(new RegExp(`failed ${id} \\(attempt \\d of 2\\): seed 2 is cursed`, 'g'));
    expect(tries).toHaveLength(2);
    const local = tmp();
    expect(rxnn([...args, '--workers', '2', '--out', local]).status).toBe(1);
    expect(read(dir, 'runs.csv')).toBe(read(local, 'runs.csv'));
    expect(runIds(read(dir, 'runs.csv'))).toHaveLength(3);
  });
});
