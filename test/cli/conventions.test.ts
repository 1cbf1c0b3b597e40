import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vulkanLoaderFound } from '../../src/backend/gpu/modes';

/** The escape character, built so that no regular expression literal holds a control character. */
const ESC = String.fromCharCode(27);
/** The built command (npm test builds first), run in `cwd`. */
const BIN = join(__dirname, '..', '..', 'bin', 'rxnn.js');
const rxnn = (args: string[], cwd = process.cwd(), env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
const tmp = () => mkdtempSync(join(tmpdir(), 'rxnn-conv-'));

describe('the command follows the conventions people expect', () => {
  it('--version prints the version and exits 0; a bare rxnn prints usage to stderr and exits 2', () => {
    const v = rxnn(['--version']);
    expect(v.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(v.stdout).toBe(`rxnn ${pkg.version}\n`);
    const bare = rxnn([]);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^usage: rxnn run <pipeline>/);
  });

  it('--help documents the environment variables and the exit codes; run X --help the pipeline parameters', () => {
    const help = rxnn(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/environment:\n {2}RXNN_BACKEND/);
    expect(help.stdout).toMatch(/exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}130 /);
    const own = rxnn(['run', 'bn-momentum', '--help']);
    expect(own.status).toBe(0);
    expect(own.stdout).toMatch(/^usage: rxnn run bn-momentum/);
    expect(own.stdout).toMatch(/\n {2}momenta +numbers 0\.\.1 +0\.01,0\.1,0\.5,0\.9/);
  });

  it('--set sets a pipeline parameter; an unknown key or a wrong type is one line and exit 2', () => {
    const dir = tmp();
    const ok = rxnn([
      'run',
      'bn-momentum',
      '--epochs',
      '1',
      '--set',
      'momenta=0.3',
      '--set',
      'large-batch-size=50',
      '--out',
      dir,
    ]);
    expect(ok.status).toBe(0);
    const models = [
      ...new Set(
        readFileSync(join(dir, 'metrics.csv'), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]),
      ),
    ];
    expect(models).toEqual(['batch10/m=0.3', 'batch50/m=0.3']);
    const bad = rxnn(['run', 'bn-momentum', '--set', 'momentum=0.3']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      "rxnn: --set momentum=0.3: unknown parameter 'momentum'; valid keys of bn-momentum: epochs, seed, lr, batchSize, largeBatchSize, momenta, modelSeed, hidden\n",
    );
    const wrong = rxnn(['run', 'bn-placement', '--set', 'hidden=four']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/hidden takes integers ≥ 1, got 'four'; valid keys of bn-placement: /);
  });

  it('each run writes to a new out/<pipeline>-<timestamp>/ with out/latest pointing at it', () => {
    const cwd = tmp();
    expect(rxnn(['run', 'bn-placement', '--epochs', '1'], cwd).status).toBe(0);
    expect(rxnn(['run', 'bn-placement', '--epochs', '1'], cwd).status).toBe(0);
    const runs = readdirSync(join(cwd, 'out')).filter((f) => f !== 'latest' && !f.startsWith('.'));
    expect(runs).toHaveLength(2);
    for (const r of runs) expect(r).toMatch(/^bn-placement-\d{8}-\d{6}(-\d+)?$/);
    expect(readlinkSync(join(cwd, 'out', 'latest'))).toBe(runs.sort().at(-1));
    expect(statSync(join(cwd, 'out', 'latest', 'report.svg')).size).toBeGreaterThan(1000);
  });

  it('--resume of a finished run says so and exits 0 without running it again', () => {
    const dir = tmp();
    expect(rxnn(['run', 'bn-placement', '--epochs', '2', '--out', dir]).status).toBe(0);
    const before = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    const again = rxnn(['run', 'bn-placement', '--resume', dir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/has finished \(bn-placement, 2 epochs per model\); nothing to resume/);
    expect(again.stdout).not.toMatch(/epoch 1\/2/);
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8')).toBe(before);
  });

  it('--resume of a run killed after its last checkpoint but before its report writes the report, the same one', () => {
    const dir = tmp();
    expect(rxnn(['run', 'bn-placement', '--epochs', '2', '--out', dir]).status).toBe(0);
    // vega numbers clip paths with a per-process counter: the one difference between equal reports.
    const report = () => readFileSync(join(dir, 'report.svg'), 'utf8').replace(/clip\d+/g, 'clip');
    const before = report();
    rmSync(join(dir, 'report.svg'));
    const again = rxnn(['run', 'bn-placement', '--resume', dir]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`wrote the missing report.svg to ${dir}/`);
    expect(again.stdout).toMatch(/has finished \(bn-placement, 2 epochs per model\); nothing to resume/);
    expect(report()).toBe(before);
  });

  it('NO_COLOR removes colour, FORCE_COLOR adds it in a pipe; piped charts fit 80 columns', () => {
    const r = rxnn(['run', 'bn-placement', '--epochs', '2', '--out', tmp()], process.cwd(), { NO_COLOR: '1' });
    expect(r.stdout).not.toContain(ESC);
    const forced = rxnn(['run', 'bn-placement', '--epochs', '2', '--out', tmp()], process.cwd(), { FORCE_COLOR: '1' });
    expect(forced.stdout).toMatch(new RegExp(`${ESC}\\[38;5;\\d+m●`));
    // Piped, lines are at most 80 columns.
    const long = rxnn(['run', 'bn-placement', '--epochs', '150', '--out', tmp()]);
    const chart = long.stdout.slice(long.stdout.indexOf('test MSE per epoch'), long.stdout.indexOf('\nwrote '));
    const chartLines = chart.split('\n');
    expect(chartLines.length).toBeGreaterThan(10);
    expect(Math.max(...chartLines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });

  it('quiet where nothing went wrong: no Vulkan warning unless webgpu is chosen', () => {
    for (const backend of ['gpu', 'gpu:webasm', 'gpu:cpu']) {
      const r = rxnn(['run', 'bn-placement', '--epochs', '1', '--backend', backend, '--out', tmp()]);
      expect(r.status).toBe(0);
      expect(r.stderr).not.toMatch(/Vulkan/);
      expect(r.stdout).toMatch(/backend gpu \(/);
    }
    const lib = tmp();
    mkdirSync(join(lib, 'x'));
    expect(vulkanLoaderFound({ LD_LIBRARY_PATH: join(lib, 'x') }, 'darwin')).toBe(true);
    writeFileSync(join(lib, 'x', 'libvulkan.so.1'), '');
    expect(vulkanLoaderFound({ LD_LIBRARY_PATH: join(lib, 'x') }, 'linux')).toBe(true);
  });
});
