/**
 * A pipe that reads slowly: the command's output fills the pipe and queues in
 * the process. What must hold on every exit path (done, failed, SIGINT): the
 * whole output arrives, ending with its last line, and errors arrive on stderr.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tmp } from './helpers';

/** `rxnn … | (sleep 2; cat)`: the reader starts two seconds late. */
function slowPipe(args: string[]): { status: number; out: string; err: string } {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')} 2>"$ERR" | (sleep 2; cat); exit \${PIPESTATUS[0]}`;
  const errFile = join(tmp(), 'stderr');
  const r = spawnSync('bash', ['-c', cmd], {
    encoding: 'utf8',
    env: { ...process.env, ERR: errFile },
    timeout: 120_000,
  });
  const err = spawnSync('cat', [errFile], { encoding: 'utf8' }).stdout;
  return { status: r.status!, out: r.stdout, err };
}

const jsonLines = (out: string): Record<string, unknown>[] =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a slow pipe on stdout', () => {
  it('done: every event line arrives (well past the 64 KiB a pipe holds), the last is the end', () => {
    const r = slowPipe(['run', 'bn-placement', '--epochs', '20', '--json', '--out', tmp()]);
    expect(r.status, r.err).toBe(0);
    const lines = jsonLines(r.out);
    expect(r.out.length).toBeGreaterThan(4 * 65536);
    expect(lines).toHaveLength(1 + 20 * 3 * 71 + 1);
    expect(lines.at(-1)).toMatchObject({ kind: 'end', status: 'done' });
  });

  it('failed: the end line still arrives, and the error is on stderr, not lost', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'report.svg', 'x'), { recursive: true });
    const r = slowPipe(['run', 'bn-placement', '--epochs', '20', '--json', '--out', dir]);
    expect(r.status).toBe(1);
    expect(jsonLines(r.out).at(-1)).toMatchObject({ kind: 'end', status: 'failed' });
    expect(r.err).toMatch(/^rxnn: could not write .*report\.svg: EISDIR/);
  });

  it('plain output: the final table and the last line arrive whole', () => {
    const r = slowPipe(['run', 'bn-placement', '--epochs', '20', '--out', tmp()]);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/\nmodel +epoch +train MSE +test MSE\n/);
    expect(r.out).toMatch(
      /wrote metrics\.csv, events\.jsonl, report\.svg, state\/\*\.json and checkpoint\.json to .*\/\n$/,
    );
  });

  it('SIGINT while nothing reads: the megabytes queued in the process and the end line arrive (process.exit dropped them all)', async () => {
    const child = spawn(process.execPath, [BIN, 'run', 'bn-placement', '--epochs', '2000', '--json', '--out', tmp()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The first chunk says it is training; then nothing reads stdout for a while: the pipe fills and the
    // rest queues in the process; then Ctrl-C, then read.
    let out = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.resume();
    expect(await closed).toBe(130);
    expect(out.length).toBeGreaterThan(65536);
    expect(jsonLines(out).at(-1)).toMatchObject({ kind: 'end', status: 'interrupted' });
    expect(err).toMatch(/continue with: rxnn run bn-placement --resume/);
  });
});
