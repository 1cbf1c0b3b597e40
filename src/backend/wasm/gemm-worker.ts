/**
 * Entry module of a gemm worker thread (gemm.ts starts threads - 1 of them): waits for each new
 * generation of ctl, runs its share of the job (work.ts runGemmJob) and counts it done.
 */
import { workerData } from 'node:worker_threads';
import { WA, type WasmMemory } from './api';
import { CTL, runGemmJob, type GemmExports } from './work';

// Not `module`: a top-level `module` declaration makes Node load the compiled CommonJS file as an ES module.
const {
  module: compiled,
  mem,
  ctl,
  thread,
} = workerData as {
  module: object;
  mem: WasmMemory<SharedArrayBuffer>;
  ctl: Int32Array;
  thread: number;
};
const ex = new WA.Instance(compiled, { env: { mem } }).exports as unknown as GemmExports;
let gen = 0;
for (;;) {
  // Spin a little before sleeping: back-to-back matmuls (a training step) then skip the futex wake-up.
  const until = performance.now() + Atomics.load(ctl, CTL.SPIN_US) / 1000;
  while (Atomics.load(ctl, CTL.GEN) === gen && performance.now() < until) {
    // spin
  }
  Atomics.wait(ctl, CTL.GEN, gen);
  gen = Atomics.load(ctl, CTL.GEN);
  if (Atomics.load(ctl, CTL.QUIT)) break;
  runGemmJob(ex, ctl, thread);
  Atomics.add(ctl, CTL.DONE, 1);
  Atomics.notify(ctl, CTL.DONE);
}
