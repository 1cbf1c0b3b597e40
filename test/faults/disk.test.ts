/**
 * File-system faults on real file systems: a 300 KB tmpfs that fills up, and a
 * read-only one. What must hold: the real error code in one line on stderr
 * (ENOSPC, EROFS), exit 1 (2 for an --out that cannot be made), never a claim
 * that a failed write happened, and a folder that stays consistent (the
 * checkpoint and the lines it covers are whole) and resumes, elsewhere, to the
 * files of an uninterrupted run. Mounting needs root: otherwise the cases are
 * skipped with the reason printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectConsistent, rxnn, snapshotDir, tmp } from './helpers';

const root = process.getuid?.() === 0;
if (!root) console.log('test/faults/disk.test.ts: skipped: mounting a tmpfs needs root (uid 0)');
const mounts: string[] = [];
const mount = (opts: string): string => {
  const dir = tmp('rxnn-mnt-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
};
afterAll(() => mounts.forEach((m) => execFileSync('umount', [m])));

describe.skipIf(!root)('file-system faults', () => {
  it('a full disk (300 KB tmpfs): ENOSPC named, nothing claimed, the folder consistent, and it resumes elsewhere to the same files', () => {
    const disk = mount('size=300k');
    const dir = join(disk, 'run');
    const r = rxnn(['run', 'bn-placement', '--epochs', '20', '--out', dir]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rxnn: could not write .*: ENOSPC: no space left on device/);
    expect(lines[0]).toMatch(
      /checkpoint\.json \(to resume from epoch \d+\) and the lines of events\.jsonl and metrics\.csv it covers are whole/,
    );
    expect(r.stdout).not.toMatch(/wrote |what was gathered/);
    const cp = expectConsistent(dir);
    expect(cp.finished).toBe(false);
    // Moved to a disk with room, it resumes to an uninterrupted run's files.
    const moved = tmp();
    cpSync(dir, moved, { recursive: true });
    const resumed = rxnn(['run', 'bn-placement', '--resume', moved]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const ref = tmp();
    expect(rxnn(['run', 'bn-placement', '--epochs', '20', '--out', ref]).status).toBe(0);
    expect(snapshotDir(moved)).toEqual(snapshotDir(ref));
  });

  it('a read-only file system: EROFS, not ENOENT; for a new folder (exit 2) and an existing one (exit 1)', () => {
    const ro = mount('ro,size=64k');
    const r = rxnn(['run', 'bn-placement', '--epochs', '1', '--out', join(ro, 'a', 'b')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `rxnn: --out ${join(ro, 'a', 'b')}: cannot make it (EROFS); expected a folder to write the results to\n`,
    );
    const existing = rxnn(['run', 'bn-placement', '--epochs', '1', '--out', ro]);
    expect(existing.status).toBe(1);
    expect(existing.stderr).toMatch(
      new RegExp(`^rxnn: could not create ${join(ro, '.rxnn.lock')}: EROFS: read-only file system`),
    );
    expect(existing.stdout).toBe('');
  });

  it('a folder made read-only mid-life (remounted): the resume is refused with EROFS and the files stay as they were', () => {
    const disk = mount('size=2m');
    const dir = join(disk, 'run');
    mkdirSync(dir);
    expect(rxnn(['run', 'bn-placement', '--epochs', '1', '--out', dir]).status).toBe(0);
    const before = snapshotDir(dir);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const r = rxnn(['run', 'bn-placement', '--epochs', '1', '--out', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EROFS: read-only file system/);
    expect(snapshotDir(dir)).toEqual(before);
  });
});
