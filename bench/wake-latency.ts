/**
 * What waking a sleeping worker thread costs here, as gemm does per call
 * (Atomics.notify on a worker parked in Atomics.wait): the notify call itself,
 * and the time until the worker has run. 400 wake-ups, each after the worker
 * has had 0.3 ms to fall asleep; p50, p90 and p99 in microseconds.
 * Run: npx ts-node bench/wake-latency.ts
 */
import { Worker } from 'node:worker_threads';

const WAKES = 400;
const ctl = new Int32Array(new SharedArrayBuffer(64));
// The worker: sleep until ctl[0] changes, then echo it into ctl[1]; a negative value ends it.
const worker = new Worker(
  `const { workerData: ctl } = require('node:worker_threads');
let gen = 0;
for (;;) { Atomics.wait(ctl, 0, gen); gen = Atomics.load(ctl, 0); if (gen < 0) break; Atomics.store(ctl, 1, gen); }`,
  { eval: true, workerData: ctl },
);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))].toFixed(1);

async function main(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  const notifyUs: number[] = [];
  const runUs: number[] = [];
  for (let i = 1; i <= WAKES; i++) {
    const idle = performance.now();
    while (performance.now() - idle < 0.3); // let the worker park
    const t0 = performance.now();
    Atomics.store(ctl, 0, i);
    Atomics.notify(ctl, 0);
    const t1 = performance.now();
    while (Atomics.load(ctl, 1) !== i);
    const t2 = performance.now();
    notifyUs.push((t1 - t0) * 1000);
    runUs.push((t2 - t0) * 1000);
  }
  console.log(
    `notify call, us:          p50 ${pct(notifyUs, 0.5)}  p90 ${pct(notifyUs, 0.9)}  p99 ${pct(notifyUs, 0.99)}`,
  );
  console.log(`until the worker ran, us: p50 ${pct(runUs, 0.5)}  p90 ${pct(runUs, 0.9)}  p99 ${pct(runUs, 0.99)}`);
  Atomics.store(ctl, 0, -1);
  Atomics.notify(ctl, 0);
  await worker.terminate();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
