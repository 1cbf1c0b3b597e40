import { describe, it, expect, vi, afterEach } from 'vitest';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/cli/atomic';

// writeSync, wrapped so a test can make it write less than asked or fail as a full disk does.
const real = vi.hoisted(() => ({ writeSync: undefined as unknown as (...a: unknown[]) => number }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  real.writeSync = fs.writeSync as (...a: unknown[]) => number;
  return { ...fs, writeSync: vi.fn(fs.writeSync) };
});
const writeSync = vi.mocked(fs.writeSync);
const realWrite = (...a: unknown[]): number => real.writeSync(...a);

describe('writeFileAtomic on short writes', () => {
  afterEach(() => writeSync.mockReset().mockImplementation(realWrite as typeof fs.writeSync));

  it('writes on from where a short write stopped, so the file is whole', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'rxnn-short-'));
    // At most 3 bytes per call, as a nearly full disk or a signal may leave it.
    writeSync.mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number) =>
      realWrite(fd, buf, off, Math.min(len, 3))) as typeof fs.writeSync);
    writeFileAtomic(join(dir, 'f.txt'), 'twenty bytes of text');
    expect(fs.readFileSync(join(dir, 'f.txt'), 'utf8')).toBe('twenty bytes of text');
    expect(writeSync.mock.calls.length).toBe(7);
  });

  it('a full disk after part of the bytes leaves the old file whole and no temp file', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'rxnn-short-'));
    const path = join(dir, 'f.txt');
    writeFileAtomic(path, 'the old, good file');
    let calls = 0;
    writeSync.mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number) => {
      if (calls++ === 0) return realWrite(fd, buf, off, Math.min(len, 4));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as typeof fs.writeSync);
    expect(() => writeFileAtomic(path, 'a new file that does not fit')).toThrow(/ENOSPC/);
    expect(fs.readFileSync(path, 'utf8')).toBe('the old, good file');
    expect(fs.readdirSync(dir)).toEqual(['f.txt']);
  });

  it('a write that makes no progress is an error, not an endless loop', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'rxnn-short-'));
    writeSync.mockReturnValue(0);
    expect(() => writeFileAtomic(join(dir, 'f.txt'), 'abc')).toThrow(/short write: 0 of 3 bytes/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
