/**
 * The long run: the lesson's network (bn-placement) for many epochs with
 * per-step events off, interrupted half way and resumed. What must hold: both
 * parts exit as they should (130, then 0), events.jsonl and metrics.csv have
 * exactly one line per model and epoch (appended, never rewritten), and the
 * peak memory stays flat (under 250 MB; it grew by ~140 MB per 1,000 epochs
 * when the command rewrote events.jsonl). CI runs 1,500 epochs;
 * RXNN_FAULTS_LONG=1 runs the full 30,000 (about 6 minutes on one core).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, expectConsistent, tmp } from './helpers';

const EPOCHS = process.env.RXNN_FAULTS_LONG === '1' ? 30_000 : 1_500;

/** Runs the command (plain output), sending SIGINT after `lines` lines of stdout if given; the peak RSS from /proc. */
function run(args: string[], lines?: number): Promise<{ code: number | null; peakKb: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between two polls
      }
    }, 100);
    let n = 0;
    let tail = '';
    child.stdout.on('data', (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) n++;
      if (lines !== undefined && n >= lines && !child.killed) child.kill('SIGINT');
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, peakKb, out: tail });
    });
  });
}

describe('a long run', () => {
  it(`${EPOCHS} epochs of bn-placement with --events epochs: interrupted half way, resumed, every epoch once, memory flat`, async () => {
    const dir = tmp();
    const first = await run(
      ['run', 'bn-placement', '--epochs', String(EPOCHS), '--events', 'epochs', '--out', dir],
      (EPOCHS / 2) * 3,
    );
    expect(first.code).toBe(130);
    const mid = expectConsistent(dir);
    expect(mid.next.epoch).toBeGreaterThan(1);
    const second = await run(['run', 'bn-placement', '--resume', dir]);
    expect(second.code).toBe(0);
    expect(second.out).toContain(
      `wrote metrics.csv, events.jsonl, report.svg, state/*.json and checkpoint.json to ${dir}/`,
    );
    const cp = expectConsistent(dir);
    expect(cp).toMatchObject({ finished: true, events: 'epochs', last: { model: 'post', epoch: EPOCHS } });
    expect(cp.files.metrics.lines).toBe(1 + 3 * EPOCHS);
    expect(cp.files.events.lines).toBe(3 * EPOCHS);
    const epochs = readFileSync(join(dir, 'metrics.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).join('@'));
    expect(new Set(epochs).size).toBe(3 * EPOCHS);
    console.log(
      `long run: ${EPOCHS} epochs; peak RSS ${Math.round(first.peakKb / 1024)} MB, resumed ${Math.round(second.peakKb / 1024)} MB`,
    );
    expect(first.peakKb).toBeGreaterThan(0);
    expect(Math.max(first.peakKb, second.peakKb)).toBeLessThan(250 * 1024);
  }, 900_000);
});
