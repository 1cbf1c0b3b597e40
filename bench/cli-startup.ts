/**
 * `npx ts-node bench/cli-startup.ts`: how long `rxnn --help` takes to start,
 * against `node -e 0` in the same run. The two commands alternate, so a busy
 * moment on a shared machine falls on both; medians of REPS each.
 * Target: `rxnn --help` within 0.3 s of `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './stats';

const REPS = Number(process.env.STARTUP_REPS ?? 21);
const BIN = join(__dirname, '..', 'bin', 'rxnn.js');
const TARGET_S = 0.3;

function seconds(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const bare: number[] = [];
const help: number[] = [];
seconds([BIN, '--help']); // the first start reads the files from disk
for (let i = 0; i < REPS; i++) {
  bare.push(seconds(['-e', '0']));
  help.push(seconds([BIN, '--help']));
}
const [b, h] = [median(bare), median(help)];
const fmt = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
console.log(`node -e 0      median ${fmt(b)} (range ${fmt(Math.min(...bare))}-${fmt(Math.max(...bare))})`);
console.log(`rxnn --help    median ${fmt(h)} (range ${fmt(Math.min(...help))}-${fmt(Math.max(...help))})`);
console.log(
  `difference     ${fmt(h - b)}, ratio ${(h / b).toFixed(2)}x; target within ${fmt(TARGET_S)}: ${h - b <= TARGET_S ? 'met' : 'missed'}`,
);
