/**
 * Runs that could clobber each other. What must hold: a second writer on a
 * folder exits 2 naming the first (its pid) and writes nothing there; a lock
 * left by a killed run is taken over with a message; a fresh run refuses to
 * start over an unfinished one (exit 2, saying --resume or --force) and with
 * --force owns the folder (another pipeline's state files go).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, expectConsistent, rxnn, snapshotDir, stopAt, tmp } from './helpers';

describe('two writers on one folder', () => {
  it.each([1, 2])(
    'trial %i: the second run exits 2 naming the first; after SIGKILL of the first, the files are all its own',
    async () => {
      const dir = tmp();
      const first = spawn(process.execPath, [BIN, 'run', 'bn-placement', '--epochs', '40', '--out', dir, '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Wait until the first run holds the lock and is training.
      await new Promise<void>((resolve) =>
        first.stdout.on('data', (d: Buffer) => d.includes('"kind":"step"') && resolve()),
      );
      const second = rxnn(['run', 'bn-placement', '--epochs', '3', '--out', dir]);
      expect(second.status).toBe(2);
      expect(second.stdout).toBe('');
      expect(second.stderr).toBe(
        `rxnn: ${dir} is in use by another run (pid ${first.pid}, ${join(dir, '.rxnn.lock')}); wait for it or choose another --out\n`,
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.on('close', resolve));
      // Everything there is the first run's: a 40-epoch checkpoint and lines of its models only.
      const cp = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { params: { epochs: number } };
      expect(cp.params.epochs).toBe(40);
      const resumed = rxnn(['run', 'bn-placement', '--resume', dir]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`its run (pid ${first.pid}) is no longer running`);
      const metrics = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
      expect(metrics).toHaveLength(1 + 40 * 3);
      expectConsistent(dir);
    },
  );
});

describe('a fresh run over an unfinished one', () => {
  it('is refused (exit 2, naming --resume and --force) and changes nothing; --force starts over and owns the folder', async () => {
    const dir = tmp();
    const r = await stopAt(['run', 'bn-placement', '--epochs', '20', '--out', dir], 2000, 'SIGINT');
    expect(r.code).toBe(130);
    const cp = expectConsistent(dir);
    expect(cp.next.epoch).toBeGreaterThan(1);
    // Another pipeline's state file, as an earlier run in the same folder would leave.
    writeFileSync(join(dir, 'state', 'batch10_m=0.1.json'), '{}');
    const before = snapshotDir(dir);
    const again = rxnn(['run', 'bn-placement', '--epochs', '2', '--out', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(
      `rxnn: --out ${dir} holds an unfinished run of bn-placement (next: epoch ${cp.next.epoch} of part 1); continue it with --resume ${dir}, or start over (deleting it) with --force\n`,
    );
    expect(snapshotDir(dir)).toEqual(before);

    const forced = rxnn(['run', 'bn-placement', '--epochs', '2', '--out', dir, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(join(dir, 'state')).sort()).toEqual(['none.json', 'post.json', 'pre.json']);
    expect(expectConsistent(dir).params.epochs).toBe(2);
    // A finished run may be started over without --force.
    expect(rxnn(['run', 'bn-placement', '--epochs', '1', '--out', dir]).status).toBe(0);
    expect(existsSync(join(dir, '.rxnn.lock'))).toBe(false);
  });

  it('--force with --resume, and --out naming another folder than --resume, are usage errors', () => {
    const dir = tmp();
    const both = rxnn(['run', 'bn-placement', '--resume', dir, '--force']);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('rxnn: --resume continues a run and --force starts one over; give one of them\n');
    const other = rxnn(['run', 'bn-placement', '--resume', dir, '--out', tmp()]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/^rxnn: --resume continues the run in its own folder/);
  });
});

describe('a stale lock taken over by two runs at once', () => {
  it.each([1, 2, 3, 4, 5])('trial %i: exactly one takes it, the other exits 2 naming the winner', async () => {
    const dir = tmp();
    // A pid that is not running: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, '.rxnn.lock'), `${dead}\n`);
    const lock = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'lock.js');
    const script = `try { require(${JSON.stringify(lock)}).lockDir(${JSON.stringify(dir)}, () => {}); console.log('held'); setTimeout(() => {}, 1500); } catch (e) { console.log(e.message); process.exitCode = 2; }`;
    const racer = () =>
      new Promise<{ code: number | null; out: string; pid: number }>((resolve) => {
        const c = spawn(process.execPath, ['-e', script]);
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('close', (code) => resolve({ code, out, pid: c.pid! }));
      });
    const [a, b] = await Promise.all([racer(), racer()]);
    const winners = [a, b].filter((r) => r.out === 'held\n');
    expect(winners).toHaveLength(1);
    const loser = winners[0] === a ? b : a;
    expect(loser.code).toBe(2);
    expect(loser.out).toContain(`is in use by another run (pid ${winners[0].pid}`);
  });
});
