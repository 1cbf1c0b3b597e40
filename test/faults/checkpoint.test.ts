/**
 * Corrupted checkpoints: a table of mutations (each field missing, of the
 * wrong type, out of range, or inconsistent with events.jsonl and
 * metrics.csv). What must hold for every one: --resume is refused with one
 * usage line (exit 2) naming the file and the field, and no file in the
 * folder changes. The unmutated checkpoint resumes to the files of an uninterrupted run.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../pipelines';
import { UsageError } from '../../src/cli/args';
import { runCommand } from '../../src/cli/run';
import { rxnn, snapshotDir, tmp } from './helpers';

type Json = Record<string, any>;
let base: string;
let reference: Record<string, string>;

/** Runs in this process with stdout and stderr captured. */
async function run(args: Partial<Parameters<typeof runCommand>[0]>): Promise<number> {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await runCommand({ pipeline: 'bn-placement', json: true, ...args }, registry, false);
  } finally {
    vi.restoreAllMocks();
  }
}

beforeAll(async () => {
  // A finished 2-epoch run, made into an unfinished 4-epoch one at epoch 3 (training does not depend on the epoch count).
  base = tmp();
  expect(await run({ epochs: 2, out: base })).toBe(0);
  const path = join(base, 'checkpoint.json');
  const cp = JSON.parse(readFileSync(path, 'utf8')) as Json;
  Object.assign(cp, { finished: false, next: { experiment: 0, epoch: 3 } });
  cp.params.epochs = 4;
  writeFileSync(path, JSON.stringify(cp));
  const ref = tmp();
  expect(await run({ epochs: 4, out: ref })).toBe(0);
  reference = snapshotDir(ref);
});
afterEach(() => vi.restoreAllMocks());

/** A copy of the base folder with `mutate` applied to its checkpoint (and `files` to the folder). */
function corrupt(mutate: (cp: Json) => void, files: (dir: string) => void = () => {}): string {
  const dir = tmp();
  cpSync(base, dir, { recursive: true });
  const path = join(dir, 'checkpoint.json');
  const cp = JSON.parse(readFileSync(path, 'utf8')) as Json;
  mutate(cp);
  writeFileSync(path, JSON.stringify(cp));
  files(dir);
  return dir;
}

const del = (o: Json, k: string): void => void delete o[k];

/** [case, mutation of checkpoint.json, what the message names]. */
const CASES: [string, (cp: Json) => void, string][] = [
  ['version missing', (c) => del(c, 'version'), 'checkpoint.json: field version: missing'],
  ['version 1', (c) => (c.version = 1), 'checkpoint.json: field version'],
  ['pipeline a number', (c) => (c.pipeline = 5), 'field pipeline'],
  ['next.epoch 99', (c) => (c.next.epoch = 99), 'field next.epoch is 99, expected 1 to 4'],
  ['next.epoch "3"', (c) => (c.next.epoch = '3'), 'field next.epoch: expected number, got "3"'],
  ['next.epoch 0', (c) => (c.next.epoch = 0), 'field next.epoch'],
  ['next.epoch 2 (metrics has 2 epochs, not 1)', (c) => (c.next.epoch = 2), 'field last'],
  ['next.experiment 5', (c) => (c.next.experiment = 5), 'field next.experiment is 5, expected 0 to 1'],
  ['next missing', (c) => del(c, 'next'), 'field next: missing'],
  ['params.epochs 0', (c) => (c.params.epochs = 0), 'field params.epochs'],
  ['params.epochs "4"', (c) => (c.params.epochs = '4'), 'field params.epochs'],
  ['params.hidden a string', (c) => (c.params.hidden = 'x'), 'field params.hidden: expected array, got "x"'],
  ['params with an unknown key', (c) => (c.params.extra = 1), 'field params.extra: not a parameter of bn-placement'],
  ['params missing', (c) => del(c, 'params'), 'field params: missing'],
  ['events mode unknown', (c) => (c.events = 'all'), 'field events'],
  ['finished true before the end', (c) => (c.finished = true), 'field finished is true'],
  ['files.events missing', (c) => del(c.files, 'events'), 'field files.events: missing'],
  ['files.events.lines -1', (c) => (c.files.events.lines = -1), 'field files.events.lines'],
  ['files.events.lines "abc"', (c) => (c.files.events.lines = 'abc'), 'field files.events.lines'],
  ['files.events.lines 0', (c) => (c.files.events.lines = 0), 'field files.events.lines is 0, fewer than the 6 epochs'],
  ['files.events.lines one more', (c) => (c.files.events.lines += 1), 'events.jsonl: has 426 lines in its first'],
  ['files.events.bytes one less', (c) => (c.files.events.bytes -= 1), 'events.jsonl: does not end at a line break'],
  ['files.events.bytes past the end', (c) => (c.files.events.bytes += 1000), 'events.jsonl: has'],
  [
    'files.metrics.lines 1 (as if no epochs)',
    (c) => (c.files.metrics.lines = 1),
    'field files.metrics.lines is 1, but next implies 7',
  ],
  ['last null', (c) => (c.last = null), 'field last is null'],
  ['last of another epoch', (c) => (c.last.epoch = 1), 'field last'],
  ['models.pre missing', (c) => del(c.models, 'pre'), 'field models.pre: missing'],
  ['models with an extra model', (c) => (c.models.other = {}), 'field models.other: not a model of bn-placement'],
  [
    'a weight element "abc"',
    (c) => (c.models.pre['linear1.weight'].data[1] = 'abc'),
    'field models.pre: key "linear1.weight": data[1] must be a number',
  ],
  ['a weight element true', (c) => (c.models.pre['linear1.weight'].data[0] = true), 'data[0] must be a number'],
  ['a weight element [7]', (c) => (c.models.pre['linear1.weight'].data[0] = [7]), 'data[0] must be a number'],
  ['a weight element null', (c) => (c.models.pre['linear1.weight'].data[0] = null), 'data[0] must be a number'],
  [
    'weight data one short',
    (c) => c.models.pre['linear1.weight'].data.pop(),
    'key "linear1.weight": shape [4, 2] needs 8 values, data has 7',
  ],
  [
    'weight of another shape',
    (c) => (c.models.pre['linear1.weight'].shape = [2, 4]),
    'key "linear1.weight": shape [2, 4] differs',
  ],
  ['a missing key', (c) => del(c.models.pre, 'normalize1.running_var'), 'key "normalize1.running_var": missing'],
  [
    'a counter "3"',
    (c) => (c.models.pre['normalize1.num_batches_tracked'] = '3'),
    'key "normalize1.num_batches_tracked": expected a non-negative integer',
  ],
  ['rng missing', (c) => del(c, 'rng'), 'field rng: missing'],
  ['rng.mt too short', (c) => (c.rng.mt = [1, 2, 3]), 'field rng.mt'],
  ['rng.index 700', (c) => (c.rng.index = 700), 'field rng.index'],
  ['an unknown field', (c) => (c.extra = 1), 'unexpected field extra'],
];

describe('a corrupted checkpoint is refused, naming the file and the field, and nothing changes', () => {
  it('the unmutated checkpoint resumes to the files of an uninterrupted run', async () => {
    const dir = corrupt(() => {});
    expect(await run({ resume: dir })).toBe(0);
    expect(snapshotDir(dir)).toEqual(reference);
  });

  it.each(CASES)('%s', async (_name, mutate, names) => {
    const dir = corrupt(mutate);
    const before = snapshotDir(dir);
    const err = await run({ resume: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as UsageError).message;
    expect(message).toContain(names);
    expect(message).toMatch(new RegExp(`^rxnn: --resume ${dir}: [^\\n]+; nothing was changed$`));
    expect(snapshotDir(dir)).toEqual(before);
  });

  it.each([
    [
      'a garbage events line',
      (d: string) =>
        writeFileSync(
          join(d, 'events.jsonl'),
          readFileSync(join(d, 'events.jsonl'), 'utf8').replace(/^.*\n/, (l) => 'x'.repeat(l.length - 1) + '\n'),
        ),
      'events.jsonl: line 1 is not JSON',
    ],
    [
      'events.jsonl cut short',
      (d: string) => truncateSync(join(d, 'events.jsonl'), 100),
      'events.jsonl: has 100 bytes, fewer than',
    ],
    ['metrics.csv cut short', (d: string) => truncateSync(join(d, 'metrics.csv'), 40), 'metrics.csv: has 40 bytes'],
    [
      'a garbage metrics row',
      (d: string) =>
        writeFileSync(
          join(d, 'metrics.csv'),
          readFileSync(join(d, 'metrics.csv'), 'utf8').replace('none,1,', 'none;1;'),
        ),
      'metrics.csv: line 2 is not a metrics row',
    ],
    [
      'checkpoint.json not JSON',
      (d: string) => writeFileSync(join(d, 'checkpoint.json'), '{"version": 2,'),
      'checkpoint.json: not valid JSON',
    ],
  ])('%s', async (_name, files, names) => {
    const dir = corrupt(() => {}, files);
    const before = snapshotDir(dir);
    const err = await run({ resume: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(names);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('through the command: exit 2, one line on stderr, nothing on stdout', () => {
    const dir = corrupt((c) => (c.next.epoch = '3'));
    const r = rxnn(['run', 'bn-placement', '--resume', dir]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `rxnn: --resume ${dir}: checkpoint.json: field next.epoch: expected number, got "3"; nothing was changed\n`,
    );
  });
});
