import { describe, expect, it } from 'vitest';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { bnPlacement } from '../../pipelines';
import type { Tensor } from '../../src/index';
import { localPool, planRuns, runOne, runsCsv, sweep$, type RunResult, type SweepEvent } from '../../src/sweep';
import { spawnSync } from 'node:child_process';
import { BIN, FAULTY, NO_BULLMQ, freePort, read, rxnn, startRxnn, tmp } from './helpers';

const ref = { name: 'bn-placement', module: 'rxnn/pipelines', exportName: 'bnPlacement' };
const options = { pipeline: ref, seeds: [0, 1, 2, 3], params: { epochs: 3 } };

async function sweepWith(workers: number): Promise<{ events: SweepEvent[]; csv: string }> {
  const events = await lastValueFrom(sweep$({ ...options, executor: localPool(workers) }).pipe(toArray()));
  const start = events[0] as Extract<SweepEvent, { kind: 'start' }>;
  const results = new Map<string, RunResult>();
  for (const e of events) if (e.kind === 'runEnd' && e.status === 'done') results.set(e.run.id, e.result);
  return { events, csv: runsCsv(start.runs, results, [], 'MSE') };
}

describe('sweep$ on the local pool', () => {
  it('gives the same numbers, bit for bit, with 1 or 2 workers and in this thread', async () => {
    const [one, two] = [await sweepWith(1), await sweepWith(2)];
    expect(two.csv).toBe(one.csv);
    expect(one.csv.split('\n')).toHaveLength(1 + 4 * 3 * 3 + 1);
    const start = one.events[0] as Extract<SweepEvent, { kind: 'start' }>;
    const here = await runOne(start.runs[2]);
    const there = one.events.find((e) => e.kind === 'runEnd' && e.run.id === start.runs[2].id);
    expect(there).toMatchObject({ status: 'done', result: here });
    // each run's epoch events come tagged with its id, and the aggregate counts up to the total
    const tagged = one.events.filter((e) => e.kind === 'run');
    expect(tagged).toHaveLength(4 * 3 * 3);
    expect(new Set(tagged.map((e) => e.kind === 'run' && e.run))).toEqual(new Set(start.runs.map((r) => r.id)));
    const agg = one.events.filter((e) => e.kind === 'aggregate');
    expect(agg.map((e) => e.kind === 'aggregate' && e.progress.done)).toEqual([1, 2, 3, 4]);
    if (agg[3].kind !== 'aggregate') throw new Error('expected an aggregate event');
    const last = agg[3].summary();
    expect(last.models).toEqual(['none', 'pre', 'post']);
    expect(last.comparisons.map((c) => `${c.a}-${c.b}`)).toEqual(['none-pre', 'none-post', 'pre-post']);
    expect(last.comparisons[0].aBetter + last.comparisons[0].bBetter + last.comparisons[0].ties).toBe(4);
  });

  it("a run's epoch events arrive live, while it trains, each once and in order", async () => {
    // A timer counts the main thread's turns; the workers train, so it ticks while a run goes on.
    let tick = 0;
    const timer = setInterval(() => tick++, 1);
    const seenAt = new Map<string, number[]>();
    const ends = new Map<string, number>();
    let events: SweepEvent[];
    try {
      events = await lastValueFrom(
        sweep$({ ...options, seeds: [0, 1], params: { epochs: 12 }, executor: localPool(1) }).pipe(
          tap((e) => {
            if (e.kind === 'run') seenAt.set(e.run, [...(seenAt.get(e.run) ?? []), tick]);
            if (e.kind === 'runEnd') ends.set(e.run.id, tick);
          }),
          toArray(),
        ),
      );
    } finally {
      clearInterval(timer);
    }
    const start = events[0] as Extract<SweepEvent, { kind: 'start' }>;
    for (const run of start.runs) {
      const ticks = seenAt.get(run.id)!;
      const end = events.find((e) => e.kind === 'runEnd' && e.run.id === run.id) as Extract<
        SweepEvent,
        { kind: 'runEnd'; status: 'done' }
      >;
      // Every row once, in the run's order, and the same as its result.
      const rows = events.filter((e) => e.kind === 'run' && e.run === run.id).map((e) => e.kind === 'run' && e.event);
      expect(rows.map((r) => r && [r.model, r.epoch])).toEqual(end.result.rows.map(([m, ep]) => [m, ep]));
      // Live: the first epoch came turns before the run ended, not in one burst with its end.
      expect(ticks[0], run.id).toBeLessThan(ends.get(run.id)!);
      expect(new Set(ticks).size, run.id).toBeGreaterThan(1);
    }
  });

  it('a seed varies data, split and initial weights; the models of one run start from the same weights', async () => {
    const runs = planRuns({ pipeline: bnPlacement, ref, seeds: [0, 1], settings: [{}] });
    expect(runs.map((r) => r.params.modelSeed)).toEqual([2 ** 32, 2 ** 32 + 1]);
    const firstWeights = async (params: Record<string, unknown>) => {
      const [e] = await bnPlacement.setup(params as never);
      const w = e.models.map((m) => Array.from((m.stateDict()['linear1.weight'] as Tensor).data));
      const split = e.train as unknown as {
        dataset: { indices: number[]; dataset: { tensors: { data: Float32Array }[] } };
      };
      return {
        w,
        indices: split.dataset.indices.slice(0, 20),
        x: Array.from(split.dataset.dataset.tensors[0].data.slice(0, 20)),
      };
    };
    const [a, b] = [await firstWeights(runs[0].params), await firstWeights(runs[1].params)];
    expect(a.w[1]).toEqual(a.w[0]);
    expect(a.w[2]).toEqual(a.w[0]);
    expect(b.w[0]).not.toEqual(a.w[0]);
    expect(b.x).not.toEqual(a.x);
    expect(b.indices).not.toEqual(a.indices);
    expect(runs[0].id).not.toBe(runs[1].id);
  });
});

describe('rxnn sweep (local)', () => {
  it('bad input: one line naming the argument and what was expected, non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['bn-placement', '--seeds', '3..1'], /--seeds '3..1': '3..1' runs backwards; expected a range like 0..29/],
      [['bn-placement', '--seeds', 'x'], /--seeds 'x': 'x' is not a seed or a range/],
      [['bn-placement'], /sweep needs --seeds/],
      [
        ['bn-placement', '--seeds', '0..1', '--set', 'momentun=0.1'],
        /unknown parameter 'momentun'; expected one of epochs, lr, batchSize, modelSeed, hidden, numExamples/,
      ],
      [['bn-placement', '--seeds', '0..1', '--set', 'hidden='], /--set 'hidden=': no values/],
      [['nope', '--seeds', '0'], /unknown pipeline 'nope'; expected one of bn-placement/],
    ];
    for (const [args, re] of cases) {
      const r = rxnn(['sweep', ...args, '--out', tmp()]);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.status).toBe(2);
    }
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const r = rxnn(['sweep', 'bn-placement', '--seeds', '0', '--queue', url, '--out', tmp()]);
    expect(r.stderr.trim()).toBe(`rxnn: --queue ${url}: cannot reach Redis: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(r.status).toBe(2);
    const w = rxnn(['worker', '--queue', url]);
    expect(w.stderr.trim()).toBe(`rxnn: --queue ${url}: cannot reach Redis: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(w.status).toBe(2);
    const noBullmq = spawnSync(
      process.execPath,
      ['-r', NO_BULLMQ, BIN, 'sweep', 'bn-placement', '--seeds', '0', '--queue', url, '--out', tmp()],
      { encoding: 'utf8' },
    );
    expect(noBullmq.stderr.trim()).toBe('rxnn: --queue needs BullMQ, which is not installed; run: npm install bullmq');
    expect(noBullmq.status).toBe(2);
    expect(rxnn(['sweep', 'bn-placement', '--seeds', '0', '--queue', 'http://x']).stderr).toMatch(
      /expected a Redis URL like redis:\/\/HOST:PORT/,
    );
  });

  it('Ctrl-C, then --resume DIR skips the finished runs and ends with the same files as an uninterrupted sweep', async () => {
    const args = ['sweep', 'bn-placement', '--seeds', '0..7', '--epochs', '10', '--workers', '1'];
    const whole = tmp();
    const full = rxnn([...args, '--out', whole]);
    expect(full.status).toBe(0);
    const dir = tmp();
    const p = startRxnn([...args, '--out', dir]);
    await p.waitFor(/runs 1\/8/);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(130);
    expect(p.out()).toContain(`finish with: rxnn sweep --resume ${dir}`);
    const partial = new Set(
      read(dir, 'runs.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    expect(partial.size).toBeGreaterThanOrEqual(1);
    expect(partial.size).toBeLessThan(8);
    expect((JSON.parse(read(dir, 'sweep.json')) as { status: string }).status).toBe('interrupted');
    const resumed = rxnn(['sweep', '--resume', dir]);
    expect(resumed.stdout).toContain(`resuming: ${partial.size} runs already done`);
    expect(resumed.status).toBe(0);
    for (const f of ['runs.csv', 'summary.csv', 'report.svg', 'sweep.json']) expect(read(dir, f)).toBe(read(whole, f));
    expect(full.stdout).toMatch(
      /test MSE at epoch 10, paired over the same seeds: mean difference \[95% CI\]\n {2}none vs pre: .*, (none|pre) better on \d of 8 seeds/,
    );
  });

  it('a model whose loss diverges stops its run: a result with its rows so far, counted, kept through --resume', () => {
    const dir = tmp();
    const r = rxnn(['sweep', 'bn-placement', '--seeds', '18..19', '--lr', '0.1', '--epochs', '3', '--out', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "1 of 2 runs stopped when a model's loss diverged (post 1); the figures at epoch 3 are over the run that went on",
    );
    const rows = read(dir, 'runs.csv').trim().split('\n').slice(1);
    expect(rows.filter((l) => l.split(',')[1] === '19').map((l) => l.split(',').slice(2, 4).join(' '))).toEqual([
      'none 1',
      'pre 1',
      'post 1',
      'none 2',
      'pre 2',
    ]);
    const before = ['runs.csv', 'summary.csv', 'report.svg', 'sweep.json'].map((f) => read(dir, f));
    expect(JSON.parse(before[3])).toMatchObject({ diverged: [{ seed: 19, model: 'post', epoch: 2, step: 18 }] });
    expect(rxnn(['sweep', '--resume', dir]).status).toBe(0);
    expect(['runs.csv', 'summary.csv', 'report.svg', 'sweep.json'].map((f) => read(dir, f))).toEqual(before);
  });

  it('a run that throws is reported failed with its error; the others finish', () => {
    const dir = tmp();
    const r = rxnn(['sweep', FAULTY, '--seeds', '0..3', '--epochs', '2', '--out', dir, '--workers', '2']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/1 run failed:\n {2}r[0-9a-f]{20} seed 2 default: seed 2 is cursed \(1 attempt\)/);
    expect(
      new Set(
        read(dir, 'runs.csv')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[1]),
      ),
    ).toEqual(new Set(['0', '1', '3']));
    expect((JSON.parse(read(dir, 'sweep.json')) as { failed: unknown[] }).failed).toMatchObject([
      { seed: 2, error: 'seed 2 is cursed' },
    ]);
  });
});
