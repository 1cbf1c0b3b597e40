/**
 * What a sweep runs: the seeds (`0..29`, `1,2,3`, or both), the `--set`
 * values of the pipeline's parameters, and their product. Every mistake is an
 * Error naming the argument, the value and what was expected.
 */

import type { ParamDoc } from '../experiments';

/** A parameter's values to sweep over, as `--set key=v1,v2` gives them. */
export interface GridAxis {
  key: string;
  values: unknown[];
}

/** One point of the grid: a value for each swept parameter, in `--set` order. */
export type Setting = Record<string, unknown>;

/** A bad `--seeds` or `--set`: the command prints the message as one line. */
export class SweepInputError extends Error {
  override name = 'SweepInputError';
}

/** The largest seed: seeds and the models' seeds derived from them stay exact integers. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Parses a seed list: ranges `a..b` (inclusive) and single seeds, comma-separated,
 * each a non-negative integer up to 2^32 − 1, no seed twice.
 *
 * @example
 * parseSeeds('0..3,10'); // [0, 1, 2, 3, 10]
 */
export function parseSeeds(raw: string): number[] {
  const bad = (why: string): SweepInputError =>
    new SweepInputError(
      `--seeds '${raw}': ${why}; expected a range like 0..29, a list like 1,2,3, or both (0..9,20), seeds from 0 to ${MAX_SEED}`,
    );
  if (raw.trim() === '') throw bad('no seeds');
  const seeds: number[] = [];
  for (const part of raw.split(',')) {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(part.trim());
    if (!m) throw bad(`'${part}' is not a seed or a range`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > MAX_SEED || b > MAX_SEED) throw bad(`'${part}' is out of range`);
    if (b < a) throw bad(`'${part}' runs backwards`);
    if (b - a >= 1e6) throw bad(`'${part}' has more than a million seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw bad(`seed ${dup} is given twice`);
  return seeds;
}

/** Splits on commas outside brackets: `[4],[8,8]` is two values. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number within the parameter's declared bounds, or undefined. */
function inBounds(x: number, doc: ParamDoc | undefined): boolean {
  if (!Number.isFinite(x) || (doc?.integer && !Number.isSafeInteger(x))) return false;
  return !((doc?.min !== undefined && x < doc.min) || (doc?.max !== undefined && x > doc.max));
}

/** What a parameter's numbers must be, in words. */
function numberText(doc: ParamDoc | undefined): string {
  let t = doc?.integer ? 'an integer' : 'a number';
  if (doc?.min !== undefined && doc.max !== undefined) t += ` from ${doc.min} to ${doc.max}`;
  else if (doc?.min !== undefined) t += doc.min === Number.MIN_VALUE ? ' > 0' : ` ≥ ${doc.min}`;
  return t;
}

/** One value, typed like the parameter's default (number, boolean, string or an array of numbers), within its declared bounds. */
function parseValue(key: string, raw: string, like: unknown, doc: ParamDoc | undefined): unknown {
  const v = raw.trim();
  const bad = (expected: string): SweepInputError =>
    new SweepInputError(`--set ${key}: '${raw}' is not ${expected} (the default is ${JSON.stringify(like)})`);
  if (typeof like === 'number') {
    if (!DECIMAL.test(v) || !inBounds(Number(v), doc)) throw bad(numberText(doc));
    return Number(v);
  }
  if (typeof like === 'boolean') {
    if (v !== 'true' && v !== 'false') throw bad('true or false');
    return v === 'true';
  }
  if (Array.isArray(like)) {
    let x: unknown;
    try {
      x = JSON.parse(v);
    } catch {
      throw bad('an array like [4,4]');
    }
    if (!Array.isArray(x) || !x.every((e) => typeof e === 'number' && inBounds(e, doc)))
      throw bad(`an array like [4,4], each item ${numberText(doc)}`);
    return x;
  }
  if (typeof like === 'string') {
    if (v === '' || (doc?.choices && !doc.choices.includes(v)))
      throw bad(doc?.choices ? `one of ${doc.choices.join(', ')}` : 'a non-empty string');
    return v;
  }
  throw new SweepInputError(`--set ${key}: this parameter cannot be swept from the command line`);
}

/** `batch-size` and `batch_size` name `batchSize`, as `rxnn run --set` takes them. */
const camel = (key: string): string => key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Parses one `--set key=v1,v2,…` against the pipeline's defaults: the key must
 * be one of `keys` (named in the error otherwise); each value is typed like its
 * default (a list parameter's values in brackets: `hidden=[4],[8,8]`) and within `docs`' bounds.
 *
 * @example
 * parseSet('momentum=0.01,0.1', { momentum: 0.1, seed: 1 }, ['momentum']); // { key: 'momentum', values: [0.01, 0.1] }
 */
export function parseSet(
  raw: string,
  defaults: Record<string, unknown>,
  keys: readonly string[],
  docs: Record<string, ParamDoc> = {},
): GridAxis {
  const eq = raw.indexOf('=');
  const key = camel(eq < 0 ? raw : raw.slice(0, eq));
  if (!keys.includes(key)) {
    throw new SweepInputError(`--set '${raw}': unknown parameter '${key}'; expected one of ${keys.join(', ')}`);
  }
  const rest = eq < 0 ? '' : raw.slice(eq + 1);
  const parts = splitTop(rest).filter((p) => p.trim() !== '');
  if (!parts.length) throw new SweepInputError(`--set '${raw}': no values; expected ${key}=v1,v2,…`);
  const values = parts.map((p) => parseValue(key, p, defaults[key], docs[key]));
  const seen = new Set(values.map((x) => JSON.stringify(x)));
  if (seen.size !== values.length) throw new SweepInputError(`--set '${raw}': a value is given twice`);
  return { key, values };
}

/**
 * The product of the axes, first axis slowest; one empty setting where there are none.
 *
 * @example
 * expandGrid([{ key: 'a', values: [1, 2] }, { key: 'b', values: ['x'] }]); // [{ a: 1, b: 'x' }, { a: 2, b: 'x' }]
 */
export function expandGrid(axes: readonly GridAxis[]): Setting[] {
  let out: Setting[] = [{}];
  for (const axis of axes) {
    if (!axis.values.length) throw new SweepInputError(`--set ${axis.key}: no values, so the grid is empty`);
    out = out.flatMap((s) => axis.values.map((v) => ({ ...s, [axis.key]: v })));
  }
  return out;
}

/** A setting as people read it: `momentum=0.1 batchSize=10`, or `default` for the empty one. */
export const settingLabel = (s: Setting): string =>
  Object.keys(s).length
    ? Object.entries(s)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')
    : 'default';
