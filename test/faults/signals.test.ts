/**
 * Signals at chosen moments (counted in events on stdout), each followed by
 * --resume. What must hold: SIGINT exits 130 with every file whole and
 * consistent; SIGKILL leaves the last checkpoint and the lines it covers
 * whole; the resumed run exits 0 and its folder is byte-identical to an
 * uninterrupted run's (metrics.csv, events.jsonl, state/*.json, checkpoint.json, report.svg).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectConsistent, rxnn, snapshotDir, stopAt, tmp } from './helpers';

const ARGS = ['run', 'bn-placement', '--epochs', '20'];
/** 20 epochs x 3 models x (70 steps + 1 epoch event), plus the start line. */
const EVENTS = 20 * 3 * 71 + 1;

let reference: Record<string, string>;

beforeAll(() => {
  const dir = tmp();
  const r = rxnn([...ARGS, '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  reference = snapshotDir(dir);
  expect(Object.keys(reference).sort()).toEqual(
    [
      'checkpoint.json',
      'events.jsonl',
      'metrics.csv',
      'report.svg',
      'state/none.json',
      'state/post.json',
      'state/pre.json',
    ].sort(),
  );
});

describe('signals, then --resume', () => {
  // The last moment is ten epochs before the end: the child runs ahead of this reader while the
  // signal is on its way, and a run that has finished by then cannot be interrupted.
  it.each([2, 700, 2600, EVENTS - 10 * 71])(
    'SIGINT after %i events: exit 130, files consistent; resumed, identical to an uninterrupted run',
    async (n) => {
      const dir = tmp();
      const r = await stopAt([...ARGS, '--out', dir], n, 'SIGINT');
      expect(r.code, r.err).toBe(130);
      // --json: stdout carries events only; the note goes to stderr.
      expect(r.err).toMatch(new RegExp(`^interrupted: .* continue with: rxnn run bn-placement --resume ${dir}\n$`));
      expect(JSON.parse(r.out.trimEnd().split('\n').pop()!)).toMatchObject({ kind: 'end', status: 'interrupted' });
      expectConsistent(dir);
      const resumed = rxnn(['run', 'bn-placement', '--resume', dir]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(snapshotDir(dir)).toEqual(reference);
    },
  );

  it.each([1000, 2500, 4000])(
    'SIGKILL after %i events: the checkpoint and its lines stay whole; resumed (taking over the lock), identical',
    async (n) => {
      const dir = tmp();
      const r = await stopAt([...ARGS, '--out', dir], n, 'SIGKILL');
      expect(r.signal).toBe('SIGKILL');
      // The killed run's lock stays; everything else the checkpoint covers is whole.
      expect(existsSync(join(dir, '.rxnn.lock'))).toBe(true);
      const resumed = rxnn(['run', 'bn-placement', '--resume', dir]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toBe(
        `rxnn: taking over ${join(dir, '.rxnn.lock')}: its run (pid ${r.pid}) is no longer running\n`,
      );
      expect(snapshotDir(dir)).toEqual(reference);
      expectConsistent(dir);
    },
  );
});
