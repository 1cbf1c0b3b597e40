/**
 * The WebAssembly SIMD multiply-add ceiling of this machine, per core and on
 * all cores: a wasm loop of f32x4.relaxed_madd (or f32x4.mul + f32x4.add) on
 * `acc` independent accumulators, every one stored at the end so that none is
 * dead code. GFLOP/s = 8 flops per f32x4 multiply-add. It bounds what any wasm
 * sgemm can reach here (rxnn's runs a 4x8 tile: 8 accumulators).
 * Run: npx ts-node bench/fma-ceiling.ts   (FMA_THREADS=n to override the core count)
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { Code, I32, V128, moduleBytes } from '../src/backend/wasm/asm';
import { WA } from '../src/backend/wasm/api';

// TurboFan only: a first call in Liftoff (the baseline tier) would time the tier, not the CPU.
setFlagsFromString('--experimental-wasm-relaxed-simd');
setFlagsFromString('--no-liftoff');

/** fma_<acc>(iters, out): acc[j] = a * b + acc[j] for j < acc, iters times; then every acc stored at out. */
function loopFunc(acc: number, fused: boolean) {
  const [iters, out, i] = [0, 1, 2];
  const a = 3,
    b = 4,
    accs = Array.from({ length: acc }, (_, j) => 5 + j);
  const c = new Code();
  c.f32(1.0000001).f32x4Splat().set(a);
  c.f32(0.9999999).f32x4Splat().set(b);
  c.for(
    i,
    () => c.i32(0),
    () => c.get(iters),
    1,
    () => {
      for (const r of accs) {
        if (fused) c.get(a).get(b).get(r).f32x4RelaxedMadd().set(r);
        else c.get(a).get(b).f32x4Mul().get(r).f32x4Add().set(r);
      }
    },
  );
  for (const [j, r] of accs.entries())
    c.get(out)
      .get(r)
      .v128Store(16 * j);
  return {
    name: `${fused ? 'fma' : 'muladd'}_${acc}`,
    params: 2,
    locals: [
      [1, I32],
      [2 + acc, V128],
    ] as [number, number][],
    code: c,
  };
}

export const ACCS = [4, 6, 8, 10, 12, 16];
const funcs = ACCS.flatMap((n) => [loopFunc(n, true), loopFunc(n, false)]);
const bytes = moduleBytes(funcs, 1, 1, true);

/** GFLOP/s of fn on one thread: the best of 5 runs of `iters` turns (the best, not the median: a ceiling). */
function gflopsOf(ex: Record<string, (...a: number[]) => void>, name: string, acc: number, iters: number): number {
  ex[name](1000, 0);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    ex[name](iters, 0);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (iters * acc * 8) / s / 1e9);
  }
  return best;
}

const ITERS = 100_000_000; // about 0.1 s per timed run

if (process.argv[2] === '--worker') {
  // Worker: run one function when told to, report its GFLOP/s.
  const data = workerData as {
    bytes: Uint8Array;
    gate: SharedArrayBuffer;
    threads: number;
    name: string;
    acc: number;
    iters: number;
  };
  const mem = new WA.Memory({ initial: 1, maximum: 1, shared: true });
  const ex = new WA.Instance(new WA.Module(data.bytes), { env: { mem } }).exports as Record<
    string,
    (...a: number[]) => void
  >;
  // A barrier, so that the threads' timed loops overlap: each counts itself in, then waits for all.
  const gate = new Int32Array(data.gate);
  Atomics.add(gate, 0, 1);
  while (Atomics.load(gate, 0) < data.threads);
  parentPort?.postMessage(gflopsOf(ex, data.name, data.acc, data.iters));
} else {
  const mem = new WA.Memory({ initial: 1, maximum: 1, shared: true });
  const ex = new WA.Instance(new WA.Module(bytes), { env: { mem } }).exports as Record<
    string,
    (...a: number[]) => void
  >;
  console.log('accumulators | relaxed_madd GFLOP/s, 1 thread | mul+add GFLOP/s, 1 thread');
  let best = { acc: 8, g: 0 };
  for (const acc of ACCS) {
    const f = gflopsOf(ex, `fma_${acc}`, acc, (ITERS / acc) * 8);
    const m = gflopsOf(ex, `muladd_${acc}`, acc, (ITERS / acc) * 8);
    if (f > best.g) best = { acc, g: f };
    console.log(`${String(acc).padStart(12)} | ${f.toFixed(1).padStart(30)} | ${m.toFixed(1).padStart(25)}`);
  }
  const threads = Number(process.env.FMA_THREADS) || availableParallelism();
  // All cores at once, each running the best loop: the machine's wasm SIMD ceiling.
  const script = `require('ts-node/register'); require(${JSON.stringify(__filename)});`;
  const gate = new SharedArrayBuffer(4);
  const runs = Array.from(
    { length: threads },
    () =>
      new Promise<number>((resolve, reject) => {
        const w = new Worker(script, {
          eval: true,
          argv: ['--worker'],
          workerData: { bytes, gate, threads, name: `fma_${best.acc}`, acc: best.acc, iters: (ITERS / best.acc) * 8 },
        });
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  void Promise.all(runs).then((gs) => {
    const sum = gs.reduce((p, g) => p + g, 0);
    console.log(
      `\nrelaxed_madd, ${best.acc} accumulators, ${threads} threads at once: ${gs.map((g) => g.toFixed(1)).join(' + ')} = ${sum.toFixed(1)} GFLOP/s`,
    );
  });
}
