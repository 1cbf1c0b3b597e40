import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { from } from 'rxjs';
import { registry } from '../../pipelines';
import { serve } from '../rx/serve';
import { UsageError } from './args';

export const SERVE_USAGE = `usage: rxnn serve DIR [--port PORT] [--host H]

  Serves the dashboard of a finished run from its folder (events.jsonl and
  checkpoint.json, as rxnn run writes them) until Ctrl-C; the page looks as it
  did live.
  --port  port to listen on (default 0: a free one)
  --host  address to bind (default 127.0.0.1); any other needs the token
          printed in the URL`;

interface ServeArgs {
  dir: string;
  port: number;
  host?: string;
}

const usage = (m: string): UsageError => new UsageError(`rxnn: ${m}`);

function parseServeArgs(argv: readonly string[]): ServeArgs | 'help' {
  const a: Partial<ServeArgs> = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('-')) {
      if (a.dir !== undefined) throw usage(`serve: unexpected argument '${arg}' after DIR '${a.dir}'`);
      a.dir = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (flag !== '--port' && flag !== '--host') throw usage(`serve: unknown option '${flag}'; expected --port, --host`);
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || raw === '' || raw.startsWith('--')) throw usage(`serve: ${flag} needs a value`);
    if (flag === '--host') a.host = raw;
    else if (!/^\d+$/.test(raw) || Number(raw) > 65535)
      throw usage(`serve: --port must be a port from 0 to 65535, got '${raw}'`);
    else a.port = Number(raw);
  }
  if (a.dir === undefined) throw usage('serve needs DIR, a folder written by rxnn run (with events.jsonl)');
  return a as ServeArgs;
}

/** The events of `dir`'s events.jsonl; a missing or broken file is a usage error naming it. */
export function readRunEvents(dir: string): Record<string, unknown>[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw usage(`serve: ${dir}: no such folder; expected an rxnn run's --out folder`);
  if (!existsSync(file)) throw usage(`serve: ${file}: not found; expected the events.jsonl an rxnn run writes`);
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw usage(`serve: ${file}: line ${i + 1} is not JSON`);
    }
  });
}

/**
 * /run for a finished run: the pipeline and parameters from checkpoint.json (where
 * there is one), the pipeline's summary and metric from the registry, and the
 * models in the order their events come, each with its steps (epochs × the steps
 * of its first epoch).
 */
export function runInfo(dir: string, events: Record<string, unknown>[]): Record<string, unknown> {
  const cpFile = join(dir, 'checkpoint.json');
  const cp = existsSync(cpFile)
    ? (JSON.parse(readFileSync(cpFile, 'utf8')) as {
        pipeline?: string;
        params?: Record<string, unknown>;
        finished?: boolean;
      })
    : {};
  const params = cp.params ?? {};
  const pipeline = cp.pipeline !== undefined ? registry[cp.pipeline] : undefined;
  const firstEpoch = new Map<string, { epoch: number; steps: number }>();
  for (const e of events) {
    if (e.kind !== 'step') continue;
    const name = typeof e.model === 'string' ? e.model : 'model';
    const f = firstEpoch.get(name) ?? { epoch: Number(e.epoch), steps: 0 };
    if (Number(e.epoch) === f.epoch) f.steps++;
    firstEpoch.set(name, f);
  }
  const epochs = typeof params.epochs === 'number' ? params.epochs : undefined;
  return {
    pipeline: cp.pipeline,
    summary: pipeline?.summary,
    metric: pipeline?.metric,
    epochs,
    params,
    models: [...firstEpoch].map(([name, f]) => ({ name, steps: (epochs ?? 0) * f.steps })),
    startedAt: statSync(join(dir, 'events.jsonl')).mtime.toISOString(),
    interrupted: cp.finished === false,
    source: dir,
  };
}

/**
 * `rxnn serve DIR`: the dashboard of a finished run, from its folder, until
 * Ctrl-C. Resolves to the exit code.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    process.stdout.write(SERVE_USAGE + '\n');
    return 0;
  }
  const events = readRunEvents(args.dir);
  const handle = await serve(from(events), { port: args.port, host: args.host, run: runInfo(args.dir, events) }).catch(
    (err: NodeJS.ErrnoException) => {
      throw usage(`serve: cannot listen on ${args.host ?? '127.0.0.1'}:${args.port} (${err.code ?? err.message})`);
    },
  );
  process.stdout.write(`rxnn: serving ${args.dir} (${events.length} events) at ${handle.url} until Ctrl-C\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await handle.close();
  return 0;
}
