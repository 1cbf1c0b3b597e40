import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'rxnn.js');
export const FAULTY = join(__dirname, 'fixtures', 'faulty.cjs');
export const NO_BULLMQ = join(__dirname, 'fixtures', 'no-bullmq.cjs');
export const tmp = (): string => mkdtempSync(join(tmpdir(), 'rxnn-sweep-'));
export const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

/** Runs the built command to its end. */
export const rxnn = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A process the test started, with its output so far and its exit. */
export interface Proc {
  child: ChildProcess;
  out(): string;
  /** Resolves when the output matches (rejects if the process ends first). */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
  /** SIGKILL to the process and everything it started (its own process group). */
  killGroup(): void;
  /** Started in a process group of its own. */
  detached: boolean;
}

export function start(cmd: string, args: string[], opts: { detached?: boolean } = {}): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached });
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', (d) => ((out += d), check()));
  child.stderr.on('data', (d) => ((out += d), check()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`${cmd} ended before ${w.re}:\n${out}`));
      resolve(code);
    }),
  );
  return {
    child,
    out: () => out,
    exit,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve, reject });
        check();
      }),
    killGroup: () => process.kill(-child.pid!, 'SIGKILL'),
    detached: !!opts.detached,
  };
}

/** The built command as a process. */
export const startRxnn = (args: string[], opts: { detached?: boolean } = {}): Proc =>
  start(process.execPath, [BIN, ...args], opts);

/** A real redis-server on 127.0.0.1:port, ready for connections; `dir` with append-only persistence for restarts. */
export async function startRedis(port: number, dir?: string): Promise<Proc> {
  const persistence = dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no'];
  const p = start('/usr/bin/redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...persistence,
  ]);
  await p.waitFor(/Ready to accept connections/);
  return p;
}

/** Stops a redis-server started by the test, as a restart would (SIGTERM: it flushes its append-only file). */
export async function stopRedis(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exit;
}
