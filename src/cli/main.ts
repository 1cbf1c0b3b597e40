/* eslint-disable @typescript-eslint/no-require-imports -- commands load their modules on demand (require), so --help stays fast */
import type { Pipeline } from '../experiments';
import { PIPELINE_NAMES } from '../../pipelines/names';
import { parseArgs, UsageError } from './args';
import { WriteError } from './atomic';
import { exitWhenDrained } from './exit';
import { helpText, version } from './help';

type RunCommand = typeof import('./run').runCommand;

/**
 * Loads the pipelines and the runner, and with them src/backend. RXNN_BACKEND is applied at the
 * first kernel call, not on import, so a bad value cannot break --help; chooseBackend applies it
 * as a usage error, unless --backend overrides it.
 */
function load(): { registry: Record<string, Pipeline>; runCommand: RunCommand } {
  return {
    registry: (require('../../pipelines') as typeof import('../../pipelines')).registry,
    runCommand: (require('./run') as typeof import('./run')).runCommand,
  };
}

/** A subcommand in a module of its own: resolves to the exit code. */
export type Subcommand = (argv: string[]) => Promise<number>;

/**
 * Subcommands with their own parsing, by name, each loaded only when invoked
 * (so `rxnn --help` stays fast). Add a command here with one line.
 */
const SUBCOMMANDS: Record<string, () => Subcommand> = {
  sweep: () => (require('./sweep-command') as typeof import('./sweep-command')).sweepCommand,
  worker: () => (require('./worker-command') as typeof import('./worker-command')).workerCommand,
  serve: () => (require('./serve-command') as typeof import('./serve-command')).serveCommand,
};

/** The command: parses, dispatches, and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const sub = Object.hasOwn(SUBCOMMANDS, argv[0] ?? '') ? SUBCOMMANDS[argv[0]] : undefined;
    if (sub) return await sub()(argv.slice(1));
    const cmd = parseArgs(argv, PIPELINE_NAMES);
    if (cmd.command === 'help') {
      process.stdout.write(helpText(PIPELINE_NAMES, Object.keys(SUBCOMMANDS)));
      return 0;
    }
    if (cmd.command === 'version') {
      process.stdout.write(`rxnn ${version()}\n`);
      return 0;
    }
    const { registry, runCommand } = load();
    if (cmd.command === 'list') {
      const { listPipelines } = require('./list') as typeof import('./list');
      process.stdout.write(listPipelines(registry, process.stdout.columns || 80) + '\n');
      return 0;
    }
    if (cmd.command === 'run-help') {
      const { pipelineHelp } = require('./params') as typeof import('./params');
      process.stdout.write(pipelineHelp(registry[cmd.pipeline], process.stdout.columns || 80) + '\n');
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
    process.stderr.write(`rxnn: ${(err as Error | undefined)?.stack ?? String(err)}\n`);
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

export { exitWhenDrained } from './exit';

if (require.main === module) {
  exitOnEpipe();
  void main(process.argv.slice(2)).then((code) => exitWhenDrained(code));
}
