import { describe, it, expect, vi, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../pipelines';
import { runCommand } from '../../src/cli/run';
import { paramsFor } from '../../src/cli/setup';
import { readCheckpoint } from '../../src/cli/checkpoint';
import { parseArgs } from '../../src/cli/args';

/** Captures stdout and stderr of an in-process run. */
function capture(onStdout: (chunk: string) => void = () => {}): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    onStdout(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return { out: () => out, err: () => err };
}

describe('runCommand', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a state file that cannot be written mid-run fails the run on stderr, naming the file and what is stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    const io = capture((chunk) => {
      // The first files are written before the view starts; from here on state/ cannot be made.
      if (chunk.startsWith('rxnn run bn-placement')) {
        rmSync(join(dir, 'state'), { recursive: true });
        writeFileSync(join(dir, 'state'), '');
      }
    });
    // Every epoch boundary is past the checkpoint interval, so the first one writes.
    let t = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => (t += 10_000));
    const code = await runCommand({ pipeline: 'bn-placement', json: false, epochs: 3, out: dir }, registry, false);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    const err = io.err();
    expect(err).toContain(`rxnn: could not write ${join(dir, 'state', 'none.json')}: EEXIST`);
    expect(err).toContain(
      `${dir}/checkpoint.json (to resume from epoch 2) and the lines of events.jsonl and metrics.csv`,
    );
    expect(err).toContain('state/none.json, state/pre.json, state/post.json may be older than checkpoint.json');
    expect(err).toContain('report.svg was not written');
    expect(io.out()).not.toContain('wrote metrics.csv');
    expect(io.out()).not.toContain('could not write');
    expect(io.out()).toMatch(/post +epoch 1\/3/);
    expect(io.out()).not.toMatch(/epoch 2\/3/);
    // The checkpoint names epoch 2 and is whole; the lock is gone.
    expect(readCheckpoint(dir).next).toEqual({ experiment: 0, epoch: 2 });
    expect(existsSync(join(dir, '.rxnn.lock'))).toBe(false);
  });

  it('a seed beyond 2^53 survives the checkpoint as a bigint, so --resume with it matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    capture();
    const seed = 18446744073709551615n;
    expect(await runCommand({ pipeline: 'bn-placement', json: true, epochs: 1, seed, out: dir }, registry, false)).toBe(
      0,
    );
    vi.restoreAllMocks();
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).params.seed).toBe('18446744073709551615');
    const back = readCheckpoint(dir);
    expect(back.params.seed).toBe(seed);
    const args = { pipeline: 'bn-placement', json: false, resume: dir, seed };
    expect(paramsFor(registry['bn-placement'], args, back).seed).toBe(seed);
  });

  it('--events takes steps or epochs and --force no value; a bad one is a usage line', () => {
    const P = ['bn-placement'];
    expect(parseArgs(['run', 'bn-placement', '--events', 'epochs', '--force'], P)).toMatchObject({
      events: 'epochs',
      force: true,
    });
    expect(() => parseArgs(['run', 'bn-placement', '--events', 'all'], P)).toThrow(
      "rxnn: --events must be one of steps, epochs, got 'all'",
    );
    expect(() => parseArgs(['run', 'bn-placement', '--force=yes'], P)).toThrow(
      "rxnn: --force takes no value, got 'yes'",
    );
  });

  it('--events epochs keeps every event but the steps; the default keeps steps for a short run', async () => {
    capture();
    const short = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    const epochsOnly = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    expect(await runCommand({ pipeline: 'bn-placement', json: true, epochs: 2, out: short }, registry, false)).toBe(0);
    const args = { pipeline: 'bn-placement', json: true, epochs: 2, out: epochsOnly, events: 'epochs' as const };
    expect(await runCommand(args, registry, false)).toBe(0);
    vi.restoreAllMocks();
    const kinds = (dir: string) =>
      readFileSync(join(dir, 'events.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds(short).filter((k) => k === 'step')).toHaveLength(2 * 3 * 70);
    expect(kinds(epochsOnly)).toEqual(Array(6).fill('epoch'));
    expect(readCheckpoint(epochsOnly).events).toBe('epochs');
  });
});
