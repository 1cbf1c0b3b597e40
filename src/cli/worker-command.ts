import { availableParallelism } from 'node:os';
import { startWorker, QueueError } from '../sweep/queue';
import { UsageError } from './args';

export const WORKER_USAGE = `usage: rxnn worker --queue redis://HOST:PORT [--concurrency N] [--lock-ms MS] [--stalled-ms MS]

  Runs sweep runs from the queue (rxnn sweep … --queue URL) until Ctrl-C or SIGTERM,
  each in its own child process. Start one per machine, on as many machines as you like.
  --concurrency  runs at once (default one per core)
  --lock-ms      how long a run's lock lasts unrenewed: a dead worker's run goes to
                 another worker after about this long (default 30000)
  --stalled-ms   how often to look for runs of dead workers (default 30000)`;

const FLAGS = ['--queue', '--concurrency', '--lock-ms', '--stalled-ms'];
const usage = (m: string): UsageError => new UsageError(`rxnn: ${m}`);

/**
 * `rxnn worker`: a BullMQ worker for sweeps. Resolves to 0 after a clean
 * shutdown (SIGINT or SIGTERM: running runs finish first), 2 on bad input.
 */
export async function workerCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(WORKER_USAGE + '\n');
    return 0;
  }
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!FLAGS.includes(flag)) throw usage(`worker: unknown argument '${arg}'; expected one of ${FLAGS.join(', ')}`);
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || raw.trim() === '' || raw.startsWith('--')) throw usage(`${flag} needs a value`);
    o[flag] = raw;
  }
  if (!o['--queue']) throw usage('worker needs --queue redis://HOST:PORT');
  const int = (flag: string, dflt: number): number => {
    const raw = o[flag];
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw usage(`${flag} must be a positive integer, got '${raw}'`);
    return Number(raw);
  };
  const concurrency = int('--concurrency', availableParallelism());
  const url = o['--queue'];
  const log = (line: string): boolean => process.stdout.write(`${line}\n`);
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker(url, {
      concurrency,
      lockMs: int('--lock-ms', 30000),
      stalledMs: int('--stalled-ms', 30000),
      log,
    });
  } catch (err) {
    if (err instanceof QueueError) throw usage(err.message);
    throw err;
  }
  log(`rxnn worker: taking runs from ${url} (pid ${process.pid}, ${concurrency} at a time); Ctrl-C stops`);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      log('rxnn worker: stopping after the runs in hand');
      void worker.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
