import type { Pipeline } from '../experiments';
import { parseArgs, USAGE, UsageError } from './args';
import { table } from './terminal';
import { WriteError } from './atomic';

type RunCommand = typeof import('./run').runCommand;

/**
 * Loads the pipelines and the runner, and with them src/backend, with
 * RXNN_BACKEND set aside: src/backend applies it on import and throws a raw
 * error at a bad value, which would break even --help. chooseBackend applies
 * it afterwards as a usage error, unless --backend overrides it.
 */
function load(): { registry: Record<string, Pipeline<any>>; runCommand: RunCommand } {
  const env = process.env.RXNN_BACKEND;
  delete process.env.RXNN_BACKEND;
  try {
    return { registry: require('../../pipelines').registry, runCommand: require('./run').runCommand };
  } finally {
    if (env !== undefined) process.env.RXNN_BACKEND = env;
  }
}

/** `rxnn list`: the pipelines with their defaults. */
function listPipelines(registry: Record<string, Pipeline<any>>): string {
  const rows = Object.values(registry).map((p) => [
    p.name,
    p.summary,
    `epochs ${p.defaults.epochs}, lr ${p.defaults.lr}, batch ${p.defaults.batchSize}, seed ${p.defaults.seed}`,
  ]);
  return table([['pipeline', 'what it compares', 'defaults'], ...rows]);
}

/** A subcommand in a module of its own: resolves to the exit code. */
export type Subcommand = (argv: string[]) => Promise<number>;

/**
 * Subcommands with their own parsing, by name, each loaded only when invoked
 * (so `rxnn --help` stays fast). Add a command here with one line.
 */
const SUBCOMMANDS: Record<string, () => Subcommand> = {};

/** The command: parses, dispatches, and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const sub = Object.hasOwn(SUBCOMMANDS, argv[0] ?? '') ? SUBCOMMANDS[argv[0]] : undefined;
    if (sub) return await sub()(argv.slice(1));
    const { registry, runCommand } = load();
    const cmd = parseArgs(argv, Object.keys(registry));
    if (cmd.command === 'help') {
      process.stdout.write(`${USAGE}\n\npipelines: ${Object.keys(registry).join(', ')}\n`);
      return 0;
    }
    if (cmd.command === 'list') {
      process.stdout.write(listPipelines(registry) + '\n');
      return 0;
    }
    return await runCommand(cmd, registry);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message + '\n');
      return err.exitCode;
    }
    if (err instanceof WriteError) {
      process.stderr.write(`rxnn: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`rxnn: ${(err as Error)?.stack ?? err}\n`);
    return 1;
  }
}

/** A closed pipe (`rxnn … | head`) ends the command quietly, as other command-line tools do. */
export function exitOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

if (require.main === module) {
  exitOnEpipe();
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
