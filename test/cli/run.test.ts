import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../pipelines';
import { runCommand } from '../../src/cli/run';
import { paramsFor } from '../../src/cli/setup';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/cli/checkpoint';

describe('runCommand', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a checkpoint that cannot be written mid-run ends the run as failed, naming the file, not as an uncaught error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk;
      // The first files are written before the view starts; from here on state/ cannot be made.
      if (String(chunk).startsWith('rxnn run bn-placement')) {
        rmSync(join(dir, 'state'), { recursive: true });
        writeFileSync(join(dir, 'state'), '');
      }
      return true;
    });
    // Every epoch boundary is past the checkpoint interval, so the first one writes.
    let t = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => (t += 10_000));
    const code = await runCommand({ pipeline: 'bn-placement', json: false, epochs: 3, out: dir }, registry, false);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(out).toContain(`rxnn: could not write ${join(dir, 'state', 'none.json')}: EEXIST`);
    expect(out).not.toContain('wrote metrics.csv');
    expect(out).toMatch(/post +epoch 1\/3/);
    expect(out).not.toMatch(/epoch 2\/3/);
    // The checkpoint of the start is still whole.
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).next).toEqual({ experiment: 0, epoch: 1 });
  });

  it('a seed beyond 2^53 survives the checkpoint as a bigint, so --resume with it matches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-run-'));
    const params = { ...registry['bn-placement'].defaults, seed: 18446744073709551615n };
    const cp = {
      version: 1,
      pipeline: 'bn-placement',
      params,
      next: { experiment: 0, epoch: 2 },
      rng: {},
      models: {},
      optimizers: {},
      epochs: [],
      eventCount: 0,
    };
    writeCheckpoint(dir, cp as unknown as Checkpoint);
    const back = readCheckpoint(dir);
    expect(back.params.seed).toBe(18446744073709551615n);
    const args = { pipeline: 'bn-placement', json: false, resume: dir, seed: 18446744073709551615n };
    expect(paramsFor(registry['bn-placement'], args, back).seed).toBe(18446744073709551615n);
  });
});
