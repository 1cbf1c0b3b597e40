import { describe, it, expect } from 'vitest';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../pipelines';
import { PIPELINE_NAMES } from '../../pipelines/names';
import { parseSet, pipelineHelp, typeText } from '../../src/cli/params';
import { COMMON_DEFAULTS, helpText, version } from '../../src/cli/help';
import { listPipelines } from '../../src/cli/list';
import { finishedRun, newRunFolder, paramsFor, prepareOut, stamp } from '../../src/cli/setup';
import { UsageError } from '../../src/cli/args';
import type { Checkpoint } from '../../src/cli/checkpoint';

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('--set: a pipeline typed parameters', () => {
  const { bnMomentum, bnPlacement, activations, classification } = {
    bnMomentum: registry['bn-momentum'],
    bnPlacement: registry['bn-placement'],
    activations: registry.activations,
    classification: registry.classification,
  };

  it('reads numbers, integers, lists, booleans and choices by the type of the default', () => {
    expect(parseSet(bnMomentum, 'momenta=0.1,0.5')).toEqual(['momenta', [0.1, 0.5]]);
    expect(parseSet(bnMomentum, 'largeBatchSize=50')).toEqual(['largeBatchSize', 50]);
    expect(parseSet(bnMomentum, 'large-batch-size=50')).toEqual(['largeBatchSize', 50]);
    expect(parseSet(bnPlacement, 'hidden=8, 8')).toEqual(['hidden', [8, 8]]);
    expect(parseSet(bnPlacement, 'numExamples=200')).toEqual(['numExamples', 200]);
    expect(parseSet(classification, 'iris=false')).toEqual(['iris', false]);
    expect(parseSet(activations, 'activations=tanh,relu')).toEqual(['activations', ['tanh', 'relu']]);
    // The common parameters take the flags' rules.
    expect(parseSet(bnPlacement, 'epochs=3')).toEqual(['epochs', 3]);
    expect(parseSet(bnPlacement, 'batch-size=5')).toEqual(['batchSize', 5]);
    expect(parseSet(bnPlacement, 'seed=18446744073709551615')).toEqual(['seed', 2n ** 64n - 1n]);
  });

  it('an unknown key or a wrong type is one line naming the key, the value, what was expected and the valid keys', () => {
    expect(usage(() => parseSet(bnPlacement, 'momenta=0.1'))).toBe(
      "rxnn: --set momenta=0.1: unknown parameter 'momenta'; valid keys of bn-placement: epochs, seed, lr, batchSize, modelSeed, hidden, numExamples",
    );
    expect(usage(() => parseSet(bnPlacement, 'hidden=4,x'))).toBe(
      "rxnn: --set hidden=4,x: hidden takes integers ≥ 1, got '4,x'; valid keys of bn-placement: epochs, seed, lr, batchSize, modelSeed, hidden, numExamples",
    );
    expect(usage(() => parseSet(bnMomentum, 'momenta=0.5,1.5'))).toMatch(
      /momenta takes numbers 0\.\.1, got '0\.5,1\.5'/,
    );
    expect(usage(() => parseSet(bnPlacement, 'numExamples=10.5'))).toMatch(/numExamples takes integer ≥ 10/);
    expect(usage(() => parseSet(bnPlacement, 'numExamples=0x10'))).toMatch(/numExamples takes integer/);
    expect(usage(() => parseSet(classification, 'iris=yes'))).toMatch(/iris takes true\|false, got 'yes'/);
    expect(usage(() => parseSet(activations, 'activations=relu,gelu'))).toMatch(
      /activations takes list of relu\|sigmoid\|tanh, got 'relu,gelu'/,
    );
    expect(usage(() => parseSet(bnPlacement, 'epochs=0'))).toMatch(/epochs takes integer ≥ 1, got '0'/);
    expect(usage(() => parseSet(bnPlacement, 'lr=-1'))).toMatch(/lr takes number > 0, got '-1'/);
    expect(usage(() => parseSet(bnPlacement, 'hidden='))).toMatch(/hidden takes integers ≥ 1, got ''/);
  });

  it('paramsFor: --set over the defaults, flags agreeing with it; a resumed run keeps its settings', () => {
    const args = { pipeline: 'bn-momentum', json: false, set: ['momenta=0.2,0.4', 'epochs=3'] };
    expect(paramsFor(bnMomentum, args, undefined)).toMatchObject({ momenta: [0.2, 0.4], epochs: 3, lr: 0.03 });
    expect(paramsFor(bnMomentum, { ...args, epochs: 3 }, undefined)).toMatchObject({ epochs: 3 });
    expect(usage(() => paramsFor(bnMomentum, { ...args, epochs: 4 }, undefined))).toBe(
      'rxnn: --epochs 4 contradicts --set epochs=3; give one of them',
    );
    const cp = {
      pipeline: 'bn-momentum',
      params: { ...bnMomentum.defaults, momenta: [0.2, 0.4] },
    } as unknown as Checkpoint;
    expect(paramsFor(bnMomentum, { ...args, set: ['momenta=0.2,0.4'] }, cp)).toBe(cp.params);
    expect(usage(() => paramsFor(bnMomentum, { ...args, set: ['momenta=0.2'] }, cp))).toBe(
      "rxnn: --set momenta=0.2 differs from the checkpoint's 0.2,0.4; a resumed run keeps its settings",
    );
  });

  it('every pipeline documents each of its own parameters, and the names list matches the registry', () => {
    expect([...PIPELINE_NAMES]).toEqual(Object.keys(registry));
    for (const p of Object.values(registry)) {
      const own = Object.keys(p.defaults).filter((k) => !(k in COMMON_DEFAULTS));
      expect(Object.keys(p.params ?? {}).sort()).toEqual(own.sort());
      for (const k of Object.keys(COMMON_DEFAULTS)) {
        expect(p.defaults[k as keyof typeof COMMON_DEFAULTS]).toBe(COMMON_DEFAULTS[k as keyof typeof COMMON_DEFAULTS]);
      }
    }
  });

  it('rxnn run X --help: every parameter with its type and default', () => {
    const help = pipelineHelp(bnMomentum, 120);
    expect(help).toMatch(/^usage: rxnn run bn-momentum \[--set key=value\]\.\.\. \[options\]/);
    expect(help).toMatch(/\n {2}momenta +numbers 0\.\.1 +0\.01,0\.1,0\.5,0\.9 +BatchNorm momenta/);
    expect(help).toMatch(/\n {2}epochs +integer ≥ 1 +20 +epochs per model \(or --epochs\)/);
    expect(help).toMatch(/\n {2}largeBatchSize +integer ≥ 1 +100 /);
    expect(typeText(true, { doc: '' })).toBe('true|false');
    // At 80 columns the docs go under each row; no line is wider.
    for (const p of Object.values(registry)) {
      const narrow = pipelineHelp(p, 80);
      for (const l of narrow.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
      for (const k of Object.keys(p.defaults)) expect(narrow).toMatch(new RegExp(`\\n  ${k} `));
    }
    expect(pipelineHelp(bnMomentum, 80)).toMatch(
      /\n {2}momenta +numbers 0\.\.1 +0\.01,0\.1,0\.5,0\.9\n {18}BatchNorm momenta/,
    );
  });

  it('rxnn list: what each pipeline compares, wrapped to the terminal, and the shared defaults once', () => {
    const list = listPipelines(registry, 80);
    for (const l of list.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    for (const name of PIPELINE_NAMES) expect(list).toMatch(new RegExp(`\\n${name} +\\S`));
    expect(list).toContain('\ndefaults: epochs 20, lr 0.03, batch size 10, seed 420\n');
  });

  it('--help names the defaults, the options, the environment variables and the exit codes; --version the version', () => {
    const help = helpText(PIPELINE_NAMES, ['serve']);
    for (const s of [
      '--out DIR',
      '--set key=value',
      'RXNN_BACKEND',
      'NO_COLOR',
      'FORCE_COLOR',
      'out/latest',
      '(420)',
    ]) {
      expect(help).toContain(s);
    }
    for (const code of ['0', '1', '2', '130']) expect(help).toMatch(new RegExp(`\\n  ${code} +\\w`));
    expect(help).toContain('pipelines: bn-placement, bn-momentum, activations, classification');
    expect(help).toContain('serve');
    expect(
      Math.max(
        ...help
          .split('\n')
          .slice(5)
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(80);
    expect(version()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('output folders', () => {
  it('each run gets a new out/<pipeline>-<timestamp>/ and out/latest points at it', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'rxnn-out-')), 'out');
    const t = new Date(2026, 0, 2, 3, 4, 5);
    expect(stamp(t)).toBe('20260102-030405');
    const a = newRunFolder(root, 'bn-placement', t);
    const b = newRunFolder(root, 'bn-placement', t);
    expect(a).toBe(join(root, 'bn-placement-20260102-030405'));
    expect(b).toBe(join(root, 'bn-placement-20260102-030405-2'));
    expect(lstatSync(join(root, 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'latest'))).toBe('bn-placement-20260102-030405-2');
    expect(realpathSync(join(root, 'latest'))).toBe(realpathSync(b));
    // A `latest` of the user's (not a link) is left alone.
    const root2 = join(mkdtempSync(join(tmpdir(), 'rxnn-out-')), 'out');
    mkdirSync(join(root2, 'latest'), { recursive: true });
    writeFileSync(join(root2, 'latest', 'keep'), 'x');
    newRunFolder(root2, 'p', t);
    expect(existsSync(join(root2, 'latest', 'keep'))).toBe(true);
  });

  it('--out and --resume name the folder themselves; without them prepareOut makes a new one', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rxnn-out-')), 'given');
    expect(prepareOut({ pipeline: 'p', json: false, out: dir })).toBe(dir);
    const cwd = process.cwd();
    process.chdir(mkdtempSync(join(tmpdir(), 'rxnn-cwd-')));
    try {
      const made = prepareOut({ pipeline: 'bn-momentum', json: false }, new Date(2026, 4, 6, 7, 8, 9));
      expect(made).toBe(join('out', 'bn-momentum-20260506-070809'));
      expect(readlinkSync(join('out', 'latest'))).toBe('bn-momentum-20260506-070809');
    } finally {
      process.chdir(cwd);
    }
  });

  it('--resume of a finished run: a message saying so; of an unfinished one: nothing', () => {
    const cp = {
      pipeline: 'bn-momentum',
      params: { epochs: 5 },
      next: { experiment: 2, epoch: 1 },
    } as unknown as Checkpoint;
    expect(finishedRun(cp, 2, 'o')).toMatch(
      /^rxnn: the run in o has finished \(bn-momentum, 5 epochs per model\); nothing to resume/,
    );
    expect(finishedRun({ ...cp, next: { experiment: 1, epoch: 3 } }, 2, 'o')).toBeUndefined();
    expect(finishedRun(undefined, 2, 'o')).toBeUndefined();
  });
});
