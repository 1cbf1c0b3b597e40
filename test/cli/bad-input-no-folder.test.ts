import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../bin/rxnn.js');

describe('bad input leaves nothing behind', () => {
  it.each([
    [['run', 'bn-momentum', '--set', 'nope=1'], /unknown parameter 'nope'/],
    [['run', 'bn-placement', '--epochs', '0'], /--epochs must be a positive integer/],
    [['sweep', 'bn-placement', '--seeds', '0', '--set', 'nope=1'], /unknown parameter 'nope'/],
    [['sweep', 'bn-placement', '--seeds', '0', '--queue', 'http://x'], /expected a Redis URL/],
  ])('rxnn %j: one line on stderr, exit 2, no output folder made', (args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'rxnn-bad-'));
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
