import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, lastValueFrom, toArray } from 'rxjs';
import { nn } from '../../src/index';
import { bnPlacement, run$ } from '../../pipelines';
import { curvePaths, parseSvg } from './svg';

const BIN = join(__dirname, '..', '..', 'bin', 'rxnn.js');
const rxnn = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
const tmp = () => mkdtempSync(join(tmpdir(), 'rxnn-cli-'));

/** Runs rxnn until `ready(stdout)` holds, then sends SIGINT (`again`: a second one 100 ms later); resolves with the exit code and output. */
function interrupt(
  args: string[],
  ready: (out: string) => boolean,
  again = false,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && ready(out)) {
        sent = true;
        child.kill('SIGINT');
        if (again) setTimeout(() => child.kill('SIGINT'), 100);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Every output file is complete and well-formed. */
function checkFiles(dir: string) {
  const metrics = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
  expect(metrics[0]).toBe('model,epoch,train_mse,test_mse');
  for (const row of metrics.slice(1)) expect(row).toMatch(/^(none|pre|post),\d+,[-\d.e]+,[-\d.e]+$/);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  const svg = parseSvg(readFileSync(join(dir, 'report.svg'), 'utf8'));
  const cp = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  for (const name of ['none', 'pre', 'post']) {
    const m = new nn.MLP({ bn: name as 'none' });
    m.loadStateDict(JSON.parse(readFileSync(join(dir, 'state', `${name}.json`), 'utf8')));
  }
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return { metrics: metrics.slice(1), events, paths: curvePaths(svg), cp };
}

describe('rxnn command', () => {
  it('argument errors: one line on stderr with the choices, exit code 2', () => {
    const r = rxnn(['run', 'bn-nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "rxnn: unknown pipeline 'bn-nope'; expected one of bn-placement, bn-momentum, activations, classification\n",
    );
    expect(r.stdout).toBe('');
    const bad = rxnn(['run', 'bn-placement', '--backend', 'gpu:nonsense', '--out', tmp()]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^rxnn: --backend gpu:nonsense: .+\n$/);
    const resume = rxnn(['run', 'bn-placement', '--resume', tmp()]);
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(/--resume .*: no checkpoint\.json there/);
  });

  it('list and --help exit 0', () => {
    const list = rxnn(['list']);
    expect(list.status).toBe(0);
    for (const p of ['bn-placement', 'bn-momentum', 'activations', 'classification']) expect(list.stdout).toContain(p);
    const help = rxnn(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: rxnn run <pipeline>/);
  });

  it('--json: one JSON event per line on stdout; without a TTY no escape codes; report.svg has one path per curve', () => {
    const dir = tmp();
    const r = rxnn(['run', 'bn-placement', '--epochs', '2', '--json', '--out', dir]);
    expect(r.status).toBe(0);
    const events = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ kind: 'start', pipeline: 'bn-placement', epochs: 2, backend: 'js' });
    expect(events[events.length - 1]).toEqual({ kind: 'end', status: 'done', out: dir });
    expect(events.filter((e) => e.kind === 'step')).toHaveLength(2 * 3 * 70);
    expect(events.filter((e) => e.kind === 'epoch').map((e) => `${e.model}@${e.epoch}`)).toEqual([
      'none@1',
      'pre@1',
      'post@1',
      'none@2',
      'pre@2',
      'post@2',
    ]);
    const files = checkFiles(dir);
    expect(files.paths).toHaveLength(6);
    expect(files.metrics).toHaveLength(6);

    const plain = rxnn(['run', 'bn-placement', '--epochs', '2', '--out', tmp()]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('\x1b'); // no escape codes without a TTY
    expect(plain.stdout).toMatch(/post {3}epoch 2\/2 {2}train MSE \d+\.\d{4} {2}test MSE \d+\.\d{4}/);
  });

  it('SIGINT stops between steps, leaves complete files and says where; --resume finishes with the numbers of an uninterrupted run', async () => {
    const dir = tmp();
    const args = ['run', 'bn-placement', '--epochs', '40', '--batch-size', '2', '--out', dir];
    const r = await interrupt(args, (out) => /post +epoch +2\/40/.test(out));
    expect(r.code).toBe(130);
    expect(r.out).toContain(`are in ${dir}/; continue with: rxnn run bn-placement --resume ${dir}`);
    const files = checkFiles(dir);
    expect(files.cp.next.epoch).toBeGreaterThanOrEqual(3);
    expect(files.cp.next.epoch).toBeLessThan(40);
    expect(files.paths.length).toBeGreaterThanOrEqual(6);
    // Events are whole steps, numbered without gaps.
    const steps = files.events.filter((e: any) => e.kind === 'step' && e.model === 'none').map((e: any) => e.step);
    expect(steps.slice(0, 350)).toEqual([...Array(350).keys()].map((i) => i + 1));

    const resumed = rxnn(['run', 'bn-placement', '--resume', dir]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const done = checkFiles(dir);
    expect(done.paths).toHaveLength(6);
    // The same numbers as one uninterrupted run of the same pipeline, to the last bit.
    const expected = await lastValueFrom(
      run$(bnPlacement, { epochs: 40, batchSize: 2 }).pipe(
        filter((e) => e.kind === 'epoch'),
        toArray(),
      ),
    );
    expect(done.metrics).toEqual(expected.map((e: any) => `${e.model},${e.epoch},${e.train},${e.test}`));
    expect(done.events.filter((e: any) => e.kind === 'step')).toHaveLength(40 * 3 * 350);
    expect(existsSync(join(dir, 'report.svg'))).toBe(true);

    const mismatch = rxnn(['run', 'bn-placement', '--resume', dir, '--lr', '0.5']);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toBe(
      "rxnn: --lr 0.5 differs from the checkpoint's 0.03; a resumed run keeps its settings\n",
    );
  });

  it('a bad RXNN_BACKEND is one usage line for run, --help still works and --backend overrides it', () => {
    const env = { RXNN_BACKEND: 'foo' };
    const help = rxnn(['--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: rxnn run <pipeline>/);
    const bad = rxnn(['run', 'bn-placement', '--out', tmp()], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("rxnn: RXNN_BACKEND='foo': unknown backend 'foo'; expected one of js, gpu\n");
    // Also a seed beyond 2^53 (README: up to 2^64-1) runs and is kept exactly in the checkpoint.
    const dir = tmp();
    const ok = rxnn(
      [
        'run',
        'bn-placement',
        '--epochs',
        '1',
        '--json',
        '--backend',
        'js',
        '--seed',
        '18446744073709551615',
        '--out',
        dir,
      ],
      env,
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.split('\n')[0])).toMatchObject({ kind: 'start', backend: 'js' });
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).params.seed).toBe('18446744073709551615');
  });

  it('--out on a file is one usage line naming --out and the path', () => {
    const file = join(tmp(), 'file');
    writeFileSync(file, 'keep');
    for (const out of [file, join(file, 'sub')]) {
      const r = rxnn(['run', 'bn-placement', '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`rxnn: --out ${out}: a file is in the way; expected a folder to write the results to\n`);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep');
  });

  it('a file that cannot be written fails the run (exit 1) naming it, and nothing claims it was written', () => {
    // report.svg, written last, cannot replace a folder.
    const dir = tmp();
    mkdirSync(join(dir, 'report.svg', 'x'), { recursive: true });
    const r = rxnn(['run', 'bn-placement', '--epochs', '1', '--json', '--out', dir]);
    expect(r.status).toBe(1);
    const end = JSON.parse(r.stdout.trimEnd().split('\n').pop()!);
    expect(end).toMatchObject({ kind: 'end', status: 'failed', out: dir });
    expect(end.error).toMatch(new RegExp(`^could not write ${join(dir, 'report.svg')}: EISDIR`));
    expect(r.stderr).toMatch(new RegExp(`^rxnn: could not write ${join(dir, 'report.svg')}: EISDIR[^\n]*\n$`));
    // state/ is a file: the first files cannot be written; one line, no stack.
    const early = tmp();
    writeFileSync(join(early, 'state'), '');
    const e = rxnn(['run', 'bn-placement', '--epochs', '1', '--out', early]);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(
      new RegExp(`^rxnn: could not write ${join(early, 'state', 'none.json')}: EEXIST[^\n]*\n$`),
    );
    expect(e.stdout).toBe('');
  });

  it('a second Ctrl-C while the files are written does not cut them short', async () => {
    const dir = tmp();
    const r = await interrupt(
      ['run', 'bn-placement', '--epochs', '40', '--batch-size', '2', '--out', dir],
      (out) => /post +epoch +1\/40/.test(out),
      true,
    );
    expect(r.code).toBe(130);
    expect(r.out).toContain(`continue with: rxnn run bn-placement --resume ${dir}`);
    expect(checkFiles(dir).paths.length).toBeGreaterThanOrEqual(6);
  });
});
