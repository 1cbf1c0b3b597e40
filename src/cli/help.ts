/**
 * `rxnn --help` and `rxnn --version`, written without loading the pipelines
 * or the engine, so both answer at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { USAGE } from './args';

/** The defaults every pipeline shares (a test checks them against the registry). */
export const COMMON_DEFAULTS = { epochs: 20, seed: 420, lr: 0.03, batchSize: 10 };

/**
 * The full help: usage, commands, options with their defaults, environment
 * variables and exit codes; lines at most 80 columns.
 *
 * @example
 * helpText(['bn-placement'], ['serve']);
 */
export function helpText(pipelines: readonly string[], subcommands: readonly string[] = []): string {
  const d = COMMON_DEFAULTS;
  const subs = subcommands.length ? [`  ${subcommands.join(', ').padEnd(15)}  see rxnn <command> --help`] : [];
  return `${USAGE}

Trains and compares neural nets as RxJS pipelines, with PyTorch's numbers.

commands:
  run <pipeline>   train a pipeline: live progress, a table and a chart, and
                   metrics.csv, events.jsonl, report.svg, state/ in its folder
  list             the pipelines, what they compare and their defaults
${subs.join('\n')}${subs.length ? '\n' : ''}
pipelines: ${pipelines.join(', ')}
  rxnn run <pipeline> --help lists a pipeline's own parameters and defaults

run options (the defaults in parentheses are every pipeline's):
  --epochs N        epochs per model, a positive integer (${d.epochs})
  --seed S          data seed, an integer (${d.seed})
  --lr X            SGD learning rate, a positive number (${d.lr})
  --batch-size B    training batch size, a positive integer (${d.batchSize})
  --set key=value   any parameter of the pipeline, repeatable; lists
                    comma-separated, e.g. --set hidden=8,8 --set momenta=0.1,0.9
  --backend B       js (the default), gpu (the best mode that runs here) or
                    gpu:<mode> with mode webgpu, headlessgl, webasm or cpu
  --out DIR         write the files to DIR (default: a new folder
                    out/<pipeline>-<time>/, with out/latest pointing at it)
  --json            one JSON event per line on stdout instead of the live view
  --events E        what events.jsonl keeps: steps or epochs (steps for runs
                    of up to 250,000 steps, else epochs)
  --resume DIR      continue the run checkpointed in DIR (Ctrl-C leaves one);
                    a finished run says so and is not run again
  --force           start over in an --out folder that holds an unfinished run
  --serve [PORT]    also serve the live dashboard (no PORT: a free one)
  --host H          the dashboard's address (default 127.0.0.1)

environment:
  RXNN_BACKEND      backend when --backend is not given: js, gpu, gpu:<mode>
  RXNN_THREADS      threads of the WebAssembly matmul (default: the cores)
  NO_COLOR          non-empty: no colour
  FORCE_COLOR       0: no colour; another value: colour even in a pipe
  every RXNN_* variable: docs/configuration.md; the command: docs/cli.md

exit codes:
  0     done, or --resume of a run that had finished
  1     failed: an error while training or writing the files
  2     usage: an unknown command, option, pipeline, key or a bad value
  130   interrupted (Ctrl-C): the folder holds a checkpoint to --resume
`;
}

/** The package's version, from the package.json above this file (in src/ or in dist/). */
export function version(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rxnn' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
