/**
 * A pipeline's typed parameters on the command line: `--set key=value`
 * (repeatable) and `rxnn run <pipeline> --help`. A parameter's type is its
 * default's (number, boolean, string, or a comma-separated list of those);
 * the pipeline's ParamDocs add the bounds and one line of docs.
 */
import type { ParamDoc, Pipeline } from '../experiments';
import wrapAnsi from 'wrap-ansi';
import { parseValue, UsageError } from './args';

/** The common parameters, their flags and docs. */
export const COMMON_PARAMS: Record<string, ParamDoc & { flag: string }> = {
  epochs: { flag: '--epochs', doc: 'epochs per model', integer: true, min: 1 },
  seed: { flag: '--seed', doc: 'data seed, from -(2^63) to 2^64-1', integer: true },
  lr: { flag: '--lr', doc: 'SGD learning rate', min: Number.MIN_VALUE },
  batchSize: { flag: '--batch-size', doc: 'training batch size', integer: true, min: 1 },
};

/** A pipeline's defaults by key. */
const defaultsOf = (pipeline: Pipeline): Record<string, unknown> =>
  pipeline.defaults as unknown as Record<string, unknown>;

/** A parameter's docs: the pipeline's, the common ones', or just its type. */
const docOf = (pipeline: Pipeline, key: string): ParamDoc =>
  COMMON_PARAMS[key] ?? (pipeline.params as Record<string, ParamDoc> | undefined)?.[key] ?? { doc: '' };

/** `batch-size` and `batch_size` name `batchSize`. */
const camel = (key: string): string => key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What a parameter takes, in words: `integer ≥ 1`, `list of numbers from 0 to 1`, `relu|sigmoid|tanh`. */
export function typeText(def: unknown, doc: ParamDoc): string {
  const list = Array.isArray(def);
  const item = list ? (def as unknown[])[0] : def;
  if (typeof item === 'boolean') return list ? 'list of true|false' : 'true|false';
  if (typeof item === 'string' || doc.choices) {
    const t = doc.choices ? doc.choices.join('|') : 'text';
    return list ? `list of ${t}` : t;
  }
  let t = (doc.integer ? 'integer' : 'number') + (list ? 's' : '');
  if (doc.min !== undefined && doc.max !== undefined) t += ` ${doc.min}..${doc.max}`;
  else if (doc.min === Number.MIN_VALUE) t += ' > 0';
  else if (doc.min !== undefined) t += ` ≥ ${doc.min}`;
  return t;
}

/** One value of a parameter whose default (or list item) is `item`; undefined where it does not fit. */
function parseItem(raw: string, item: unknown, doc: ParamDoc): unknown {
  if (typeof item === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (typeof item === 'string' || doc.choices) return !doc.choices || doc.choices.includes(raw) ? raw : undefined;
  const x = Number(raw);
  if (!DECIMAL.test(raw) || !Number.isFinite(x)) return undefined;
  if (doc.integer && !Number.isSafeInteger(x)) return undefined;
  if ((doc.min !== undefined && x < doc.min) || (doc.max !== undefined && x > doc.max)) return undefined;
  return x;
}

/**
 * `key=value` as the pipeline's typed parameter: `[key, value]`, or a usage
 * error (exit 2) naming the key, the value, what was expected and the valid keys.
 *
 * @example
 * parseSet(bnMomentum, 'momenta=0.1,0.5'); // ['momenta', [0.1, 0.5]]
 */
export function parseSet(pipeline: Pipeline, arg: string): [string, unknown] {
  const keys = Object.keys(pipeline.defaults);
  const eq = arg.indexOf('=');
  const key = camel(eq < 0 ? arg : arg.slice(0, eq));
  const raw = eq < 0 ? undefined : arg.slice(eq + 1);
  const valid = `valid keys of ${pipeline.name}: ${keys.join(', ')}`;
  if (!keys.includes(key)) {
    throw new UsageError(`rxnn: --set ${arg}: unknown parameter '${key}'; ${valid}`);
  }
  const def: unknown = defaultsOf(pipeline)[key];
  const doc = docOf(pipeline, key);
  const bad = (): UsageError =>
    new UsageError(`rxnn: --set ${arg}: ${key} takes ${typeText(def, doc)}, got '${raw ?? ''}'; ${valid}`);
  if (raw === undefined || raw.trim() === '') throw bad();
  const common = COMMON_PARAMS[key];
  if (common) {
    try {
      return [key, Object.values(parseValue(common.flag, raw))[0]];
    } catch {
      throw bad();
    }
  }
  if (Array.isArray(def)) {
    const items = raw.split(',').map((r) => parseItem(r.trim(), (def as unknown[])[0] ?? 0, doc));
    if (items.some((x) => x === undefined)) throw bad();
    return [key, items];
  }
  const value = parseItem(raw, def, doc);
  if (value === undefined) throw bad();
  return [key, value];
}

/** A default as the command line would write it. */
const show = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** `rxnn run <pipeline> --help`: what it compares and every parameter with its type, default and docs. */
export function pipelineHelp(pipeline: Pipeline, width = 80): string {
  const rows = Object.entries(defaultsOf(pipeline)).map(([key, def]) => {
    const doc = docOf(pipeline, key);
    const flag = COMMON_PARAMS[key] ? ` (or ${COMMON_PARAMS[key].flag})` : '';
    return [key, typeText(def, doc), show(def), doc.doc + flag];
  });
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['key', 'type', 'default'][c].length));
  // The docs in a fourth column where it has room, else under the row; either way no line is wider than `width`.
  const indent = 2 + widths.reduce((a, b) => a + b + 2, 0);
  const under = width - indent < 32;
  const at = under ? 4 + widths[0] : indent;
  const line = (r: string[]): string => {
    const docs = wrapAnsi(r[3], Math.max(20, width - at), { hard: true }).split('\n');
    const head = r
      .slice(0, 3)
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ');
    if (under) return [head.trimEnd(), ...docs.map((d) => ' '.repeat(at) + d)].join('\n');
    return [`${head}  ${docs[0]}`, ...docs.slice(1).map((d) => ' '.repeat(at) + d)].join('\n');
  };
  return [
    `usage: rxnn run ${pipeline.name} [--set key=value]... [options]`,
    '',
    wrapAnsi(`${pipeline.summary} (metric: ${pipeline.metric})`, width, { hard: true }),
    '',
    'parameters (--set key=value, repeatable; lists comma-separated):',
    '  ' + line(['key', 'type', 'default', under ? '' : 'what it sets']).trimEnd(),
    ...rows.map((r) => '  ' + line(r).trimEnd()),
    '',
    'options: --backend, --out, --json, --events, --resume, --serve (see rxnn --help)',
  ].join('\n');
}
