/**
 * Median and range per workload and peer over several `npm run bench` results
 * (copies of bench/results.json), as the markdown rows of docs/speed.md.
 * Run: npx ts-node bench/summarize.ts bench/runs/*.json
 */
import { readFileSync } from 'node:fs';
import { fmt, median } from './stats';

interface Row {
  peer: string;
  value: number;
}
interface Result {
  date: string;
  quick: boolean;
  w3: Record<string, Row[]>;
  w1: Row[];
  w2: Row[];
  load?: string;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx ts-node bench/summarize.ts <results.json>...');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Result);
if (runs.some((r) => r.quick)) console.error('note: some files are BENCH_QUICK runs');

/** peer -> values across runs, in first-seen peer order. */
function collect(pick: (r: Result) => Row[] | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of runs) for (const row of pick(r) ?? []) out.set(row.peer, [...(out.get(row.peer) ?? []), row.value]);
  return out;
}

const cell = (v: number[] | undefined) => {
  if (!v || v.length === 0) return '–';
  const lo = Math.min(...v),
    hi = Math.max(...v);
  return v.length === 1 ? fmt(v[0]) : `${fmt(median(v))} (${fmt(lo)}–${fmt(hi)})`;
};

const workloads: [string, (r: Result) => Row[] | undefined][] = [
  ['W3 256, GFLOP/s', (r) => r.w3['256']],
  ['W3 512, GFLOP/s', (r) => r.w3['512']],
  ['W3 1024, GFLOP/s', (r) => r.w3['1024']],
  ['W1, ms per epoch', (r) => r.w1],
  ['W2, samples/s', (r) => r.w2],
];
const cols = workloads.map(([name, pick]) => ({ name, data: collect(pick) }));
const peers = [...new Set(cols.flatMap((c) => [...c.data.keys()]))];
console.log(`${runs.length} runs: ${runs.map((r) => `${r.date}${r.load ? ` (load ${r.load})` : ''}`).join('; ')}\n`);
console.log(`| peer | ${cols.map((c) => c.name).join(' | ')} |`);
console.log(`|---|${cols.map(() => '---').join('|')}|`);
for (const p of peers) console.log(`| ${p} | ${cols.map((c) => cell(c.data.get(p))).join(' | ')} |`);

// Within each run (the same load for both): how many times faster rxnn js is than each peer.
const ref = 'rxnn js';
console.log(`\nrxnn js speed / peer speed, median (range) of the per-run ratios:\n`);
console.log(`| peer | ${cols.map((c) => c.name.split(',')[0]).join(' | ')} |`);
console.log(`|---|${cols.map(() => '---').join('|')}|`);
for (const p of peers.filter((x) => x !== ref)) {
  const cells = workloads.map(([name, pick]) => {
    const lowerIsBetter = name.startsWith('W1');
    const ratios = runs.flatMap((r) => {
      const rows = pick(r) ?? [];
      const mine = rows.find((x) => x.peer === ref)?.value;
      const theirs = rows.find((x) => x.peer === p)?.value;
      if (mine === undefined || theirs === undefined) return [];
      return [lowerIsBetter ? theirs / mine : mine / theirs];
    });
    return cell(ratios);
  });
  console.log(`| ${p} | ${cells.join(' | ')} |`);
}
