/**
 * `rxnn` argument parsing. Every mistake is one line naming the argument, the
 * value and what was expected (with the valid choices) and exits with code 2.
 */

export interface BackendChoice {
  name: 'js' | 'gpu';
  mode?: string;
}

export interface RunArgs {
  pipeline: string;
  epochs?: number;
  /** A number where it is a safe integer, a bigint beyond (manualSeed takes both). */
  seed?: number | bigint;
  lr?: number;
  batchSize?: number;
  backend?: BackendChoice;
  out?: string;
  json: boolean;
  resume?: string;
  /** `--set key=value` arguments in order, checked against the pipeline's parameters (params.ts). */
  set?: string[];
  /** `--serve [PORT]`: also serve the live dashboard (0: a free port). */
  serve?: number;
  /** `--host H`: the address the dashboard binds (default 127.0.0.1; another needs the printed token). */
  host?: string;
  /** `--force`: start over in an --out folder that holds an unfinished run. */
  force?: boolean;
  /** `--events steps|epochs`: what events.jsonl keeps (default: steps for runs of up to 250,000 steps, else epochs). */
  events?: 'steps' | 'epochs';
}

export type Command =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'list' }
  | { command: 'run-help'; pipeline: string }
  | ({ command: 'run' } & RunArgs);

/** A mistake on the command line: main prints the message and exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const COMMANDS = ['run', 'list', '--help', '--version'];
const RUN_OPTIONS = [
  '--epochs',
  '--seed',
  '--lr',
  '--batch-size',
  '--set',
  '--backend',
  '--out',
  '--json',
  '--resume',
  '--serve',
  '--host',
  '--force',
  '--events',
  '--help',
];

/** What a bare `rxnn` prints (to stderr, exit 2) and `--help` starts with. */
export const USAGE = `usage: rxnn run <pipeline> [--epochs N] [--seed S] [--lr X] [--batch-size B] [--set key=value]...
                       [--backend js|gpu|gpu:<mode>] [--out DIR] [--json] [--resume DIR]
       rxnn run <pipeline> --help
       rxnn list
       rxnn --help | --version`;

const list = (xs: string[]): string => xs.join(', ');

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`rxnn: ${flag} must be a positive integer, got '${raw}'`);
  }
  return n;
}

/** manualSeed's range: [-(2^63), 2^64 - 1]. */
const SEED_MIN = -(2n ** 63n);
const SEED_MAX = 2n ** 64n - 1n;
/** A plain decimal number: Number() also takes surrounding spaces, hex ('0x10' is 16), binary, octal and 'Infinity'. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One flag's value, checked: a usage error naming the flag, the value and what was expected. */
export function parseValue(flag: string, raw: string): Partial<RunArgs> {
  switch (flag) {
    case '--epochs':
      return { epochs: positiveInt(flag, raw) };
    case '--batch-size':
      return { batchSize: positiveInt(flag, raw) };
    case '--seed': {
      const n = /^[+-]?\d+$/.test(raw) ? BigInt(raw) : undefined;
      if (n === undefined || n < SEED_MIN || n > SEED_MAX) {
        throw new UsageError(`rxnn: --seed must be an integer from -(2^63) to 2^64-1, got '${raw}'`);
      }
      // A number where exact, so checkpoints (JSON) and the pipelines' defaults compare as before.
      return { seed: Number.isSafeInteger(Number(n)) ? Number(n) : n };
    }
    case '--lr': {
      const x = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(x) || x <= 0) {
        throw new UsageError(`rxnn: --lr must be a positive number, got '${raw}'`);
      }
      return { lr: x };
    }
    case '--backend': {
      const m = /^(js|gpu)(?::([a-z0-9]+))?$/.exec(raw);
      if (!m || (m[1] === 'js' && m[2])) {
        throw new UsageError(`rxnn: --backend must be one of js, gpu, gpu:<mode>, got '${raw}'`);
      }
      return { backend: m[2] ? { name: 'gpu', mode: m[2] } : { name: m[1] as 'js' | 'gpu' } };
    }
    case '--out':
      return { out: raw };
    case '--serve':
      if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
        throw new UsageError(`rxnn: --serve takes a port from 0 to 65535, got '${raw}'`);
      }
      return { serve: Number(raw) };
    case '--host':
      return { host: raw };
    case '--events':
      if (raw !== 'steps' && raw !== 'epochs')
        throw new UsageError(`rxnn: --events must be one of steps, epochs, got '${raw}'`);
      return { events: raw };
    default:
      return { resume: raw };
  }
}

/** Parses `argv` (without node and the script); `pipelines` are the valid names. */
export function parseArgs(argv: readonly string[], pipelines: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined)
    throw new UsageError(`${USAGE}\n\nrxnn --help for the options, environment variables and exit codes`);
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-V') {
    if (rest.length) throw new UsageError(`rxnn: ${command} takes no arguments, got '${rest[0]}'`);
    return { command: 'version' };
  }
  if (command === 'list') {
    if (rest.length) throw new UsageError(`rxnn: list takes no arguments, got '${rest[0]}'`);
    return { command: 'list' };
  }
  if (command !== 'run') throw new UsageError(`rxnn: unknown command '${command}'; expected one of ${list(COMMANDS)}`);
  const args: RunArgs = { pipeline: '', json: false };
  if (rest.includes('--help') || rest.includes('-h')) {
    const named = rest.find((a) => pipelines.includes(a));
    return named ? { command: 'run-help', pipeline: named } : { command: 'help' };
  }

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('-')) {
      if (args.pipeline) throw new UsageError(`rxnn: unexpected argument '${arg}' after pipeline '${args.pipeline}'`);
      if (!pipelines.includes(arg)) {
        throw new UsageError(`rxnn: unknown pipeline '${arg}'; expected one of ${list([...pipelines])}`);
      }
      args.pipeline = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!RUN_OPTIONS.includes(flag)) {
      throw new UsageError(`rxnn: unknown option '${flag}'; expected one of ${list(RUN_OPTIONS)}`);
    }
    if (flag === '--json' || flag === '--force') {
      if (eq >= 0) throw new UsageError(`rxnn: ${flag} takes no value, got '${arg.slice(eq + 1)}'`);
      if (flag === '--json') args.json = true;
      else args.force = true;
      continue;
    }
    // --serve's port is optional: `--serve` alone, or followed by another flag or the pipeline, picks a free one.
    if (flag === '--serve' && eq < 0 && !/^\d+$/.test(rest[i + 1] ?? '')) {
      args.serve = 0;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (raw === undefined) throw new UsageError(`rxnn: ${flag} needs a value`);
    // `--out --json` would make a folder named --json, `--out=` write into the current one.
    if (raw.trim() === '' || raw.startsWith('--')) throw new UsageError(`rxnn: ${flag} needs a value, got '${raw}'`);
    if (flag === '--set') {
      if (!/^[A-Za-z][\w-]*=/.test(raw)) throw new UsageError(`rxnn: --set takes key=value, got '${raw}'`);
      (args.set ??= []).push(raw);
    } else Object.assign(args, parseValue(flag, raw));
  }
  if (!args.pipeline) throw new UsageError(`rxnn: run needs a pipeline; expected one of ${list([...pipelines])}`);
  if (args.host !== undefined && args.serve === undefined) throw new UsageError('rxnn: --host goes with --serve');
  return { command: 'run', ...args };
}
