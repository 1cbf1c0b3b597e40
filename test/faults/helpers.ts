/** Shared by the fault corpus: spawning the built command, folders, and the consistency check every case ends with. */
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readCheckpoint, type Checkpoint } from '../../src/cli/checkpoint';
import { scanLog } from '../../src/cli/event-log';

export const BIN = join(__dirname, '..', '..', 'bin', 'rxnn.js');
export const tmp = (prefix = 'rxnn-fault-'): string => mkdtempSync(join(tmpdir(), prefix));

/** Runs the command to the end. */
export const rxnn = (args: string[], timeout = 120_000): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });

export interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  pid: number;
}

/**
 * Runs the command with --json and sends `signal` once stdout has carried
 * `events` JSON lines (the start line included): a chosen moment, counted in events.
 */
export function stopAt(args: string[], events: number, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lines = 0;
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
      if (!sent && lines >= events) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, sig) => resolve({ code, signal: sig, out, err, pid: child.pid! }));
  });
}

/** Every file of a run folder by relative path, with its SHA-256 (temp files and the lock included, so strays show; SVG clip ids aside). */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const f of readdirSync(join(dir, rel))) {
      const p = join(rel, f);
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else {
        // vega numbers clip paths with a per-process counter: the one difference between equal reports drawn in one process.
        const bytes = readFileSync(join(dir, p));
        const data = p.endsWith('.svg') ? bytes.toString('utf8').replace(/clip\d+/g, 'clip') : bytes;
        out[p] = createHash('sha256').update(data).digest('hex');
      }
    }
  };
  walk('');
  return out;
}

/**
 * What must hold of a run folder after any fault: checkpoint.json passes the
 * schema, events.jsonl and metrics.csv reach its marks with whole lines (every
 * event line is JSON, every metrics row parses), the state files decode, and no
 * temp file or lock is left. Returns the checkpoint.
 */
export function expectConsistent(dir: string): Checkpoint {
  const cp = readCheckpoint(dir);
  scanLog(join(dir, 'events.jsonl'), cp.files.events, (line) => JSON.parse(line));
  scanLog(join(dir, 'metrics.csv'), cp.files.metrics, () => {});
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === '.rxnn.lock')).toEqual([]);
  if (existsSync(join(dir, 'state'))) {
    for (const f of readdirSync(join(dir, 'state'))) JSON.parse(readFileSync(join(dir, 'state', f), 'utf8'));
  }
  return cp;
}
