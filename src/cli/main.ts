import { registry } from '../../pipelines';
import { parseArgs, USAGE, UsageError } from './args';
import { runCommand } from './run';
import { table } from './terminal';

/** `rxnn list`: the pipelines with their defaults. */
function listPipelines(): string {
  const rows = Object.values(registry).map((p) => [
    p.name,
    p.summary,
    `epochs ${p.defaults.epochs}, lr ${p.defaults.lr}, batch ${p.defaults.batchSize}, seed ${p.defaults.seed}`,
  ]);
  return table([['pipeline', 'what it compares', 'defaults'], ...rows]);
}

/** The command: parses, dispatches, and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv, Object.keys(registry));
    if (cmd.command === 'help') {
      process.stdout.write(`${USAGE}\n\npipelines: ${Object.keys(registry).join(', ')}\n`);
      return 0;
    }
    if (cmd.command === 'list') {
      process.stdout.write(listPipelines() + '\n');
      return 0;
    }
    return await runCommand(cmd, registry);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message + '\n');
      return err.exitCode;
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
