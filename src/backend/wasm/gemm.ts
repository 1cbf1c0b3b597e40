import { flag } from '../../config/flags';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { gemmModuleBytes } from './gemm-module';
import { CTL, GemmExports, runGemmJob } from './work';
import { startWorker } from '../start-worker';
import { take } from '../js/pool';
import { WA, type WasmMemory } from './api';

/**
 * WebAssembly SIMD sgemm over one shared memory, run by the calling thread
 * plus `threads - 1` worker_threads (both cores on the 2-core CI machine).
 *
 * Per call: copy A and B into the shared memory (memcpy), pack B~ and A~
 * (see gemm-module.ts), run 4x8 register tiles, copy C out. Work is claimed
 * dynamically (see work.ts). Sizes below `parallelMinFlops` run on the calling
 * thread alone: a worker's wake-up (a futex round trip, tens of microseconds)
 * costs more than it saves there.
 *
 * FMA: relaxed SIMD's f32x4.relaxed_madd (fused multiply-add, as MKL's and
 * oneDNN's sgemm use on x86) is 10-20% faster here than mul + add. Node 20's
 * V8 (11.3) ships it behind --experimental-wasm-relaxed-simd; we turn that on
 * for this process unless RXNN_WASM_FMA=0, and fall back to mul + add if the
 * module still does not validate.
 */
export interface GemmConfig {
  /** Threads taking part, the caller's included. */
  threads: number;
  /** Whether the kernel uses fused multiply-add. */
  fma: boolean;
  /** 2*m*k*n at or above which the workers are woken. */
  parallelMinFlops: number;
}

const MR = 4,
  NV = 2,
  NR = NV * 4;
const KC = 256;
/**
 * Rows of C per phase-2 task, at most. Smaller tasks balance better when a
 * core is shared with other processes; 32 rows x 1024 columns is ~1.5 ms of work.
 */
const MC_MAX = 32;
/** Panels of B~ per phase-1 packing task. */
const GROUP = 16;
/**
 * Turns of Atomics.load a thread spins at a barrier before it sleeps. Longer spins, and workers
 * spinning for their next job, lost in interleaved A/B runs on a shared 2-core machine
 * (bench/ab-w2.ts): a spinning thread takes the core the other one needs.
 */
const BARRIER_SPIN = 2000;
const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB of address space, reserved by V8 up front for shared memories.

interface State {
  mem: WasmMemory<SharedArrayBuffer>;
  ex: GemmExports;
  ctl: Int32Array;
  workers: Worker[];
  config: GemmConfig;
}

let state: State | undefined;

/** Microseconds spent in the phases of gemm calls, summed while profiling is on (bench/profile-w2.ts). */
export interface GemmProfile {
  calls: number;
  /** Copying A and B (and a bias) into the shared memory, on the calling thread. */
  copyIn: number;
  /** Waking the worker (Atomics.notify; part of copyIn's time). */
  wake: number;
  /** The calling thread's own share of packing and tiles (runGemmJob). */
  compute: number;
  /** The calling thread waiting for the workers after its own share. */
  wait: number;
  /** Copying C out into a fresh array. */
  copyOut: number;
}
let profile: GemmProfile | undefined;

/** Starts summing gemm's phase times into a fresh GemmProfile (returned; read it later), or stops with `false`. */
export function profileGemm(on = true): GemmProfile | undefined {
  profile = on ? { calls: 0, copyIn: 0, wake: 0, compute: 0, wait: 0, copyOut: 0 } : undefined;
  return profile;
}

function relaxedSimdAvailable(): boolean {
  // (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
  const probe = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 13, 1, 11, 0, 0x20, 0,
    0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b,
  ]);
  if (WA.validate(probe)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WA.validate(probe);
}

function init(): State {
  const fma = flag('RXNN_WASM_FMA') && relaxedSimdAvailable();
  const threads = Math.min(flag('RXNN_THREADS') ?? availableParallelism(), 64);
  const mem = new WA.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const module = new WA.Module(gemmModuleBytes({ mr: MR, nv: NV, fma }, 16, MAX_PAGES));
  const ex = new WA.Instance(module, { env: { mem } }).exports as unknown as GemmExports;
  const ctl = new Int32Array(new SharedArrayBuffer(CTL.SIZE * 4));
  // Workers may spin this long for the next job before sleeping. Off by default: on a
  // shared 2-core machine a spinning worker takes the core the caller needs.
  ctl[CTL.SPIN_US] = flag('RXNN_SPIN_US');
  ctl[CTL.BARRIER_SPIN] = BARRIER_SPIN;
  const workers: Worker[] = [];
  for (let t = 1; t < threads; t++) {
    const w = startWorker(__dirname, 'gemm-worker', { workerData: { module, mem, ctl, thread: t } });
    w.unref();
    workers.push(w);
  }
  // 2^23 flops (256x64x256, W2's first layer) is about 0.25 ms on one core; a quiet 2-core box
  // then runs it 1.3x faster on both (256^3: 1.7x), 128^3 breaks even. Waking a worker costs
  // 20-50 us when the other core is free and up to milliseconds when other processes hold it
  // (bench/matmul-threshold.ts).
  const parallelMinFlops = flag('RXNN_PARALLEL_MIN_FLOPS');
  return { mem, ex, ctl, workers, config: { threads, fma, parallelMinFlops } };
}

/**
 * Sets how long gemm's threads spin before they sleep, for A/B runs in one process (bench/ab-w2.ts):
 * `barrierSpin` turns at each barrier, `spinUs` microseconds of a worker waiting for its next job.
 */
export function tuneGemm(o: { barrierSpin?: number; spinUs?: number }): void {
  const s = (state ??= init());
  if (o.barrierSpin !== undefined) s.ctl[CTL.BARRIER_SPIN] = o.barrierSpin;
  if (o.spinUs !== undefined) s.ctl[CTL.SPIN_US] = o.spinUs;
}

export function gemmConfig(): GemmConfig {
  state ??= init();
  return { ...state.config };
}

const roundUp = (x: number, q: number) => Math.ceil(x / q) * q;

/**
 * out[m, n] = sum_k A[m, k] * B[k, n]; A stored [k, m] when transA, B stored [n, k] when transB;
 * plus bias[n] on the float32 sum when `bias` is given (addmm; the macro-kernel adds it with
 * the last k block). `parallel` forces the workers on or off (default: by size).
 */
export function gemm(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  parallel?: boolean,
  bias?: Float32Array | null,
): Float32Array {
  if (m === 0 || n === 0 || k === 0) {
    const out = new Float32Array(m * n);
    // No products: the bias as it is (a -0 stays -0), as PyTorch's addmm gives it.
    if (bias) for (let i = 0; i < m; i++) out.set(bias.subarray(0, n), i * n);
    return out;
  }
  const s = (state ??= init());
  const { ctl, ex } = s;
  const useWorkers = s.workers.length > 0 && (parallel ?? 2 * m * k * n >= s.config.parallelMinFlops);
  const threads = useWorkers ? s.workers.length + 1 : 1;
  const Np = roundUp(n, NR),
    Mp = roundUp(m, MR);
  // Rows of C per phase-2 task: at most MC_MAX, and at least 2 tasks per thread when m allows.
  const MC = Math.max(MR, Math.min(MC_MAX, roundUp(Math.ceil(m / (2 * threads)), MR)));
  // Layout (bytes): [A][B][B~][C][bias][scratch per thread], each 64-byte aligned.
  const A0 = 64;
  const B0 = A0 + roundUp(m * k * 4, 64);
  const BP = B0 + roundUp(k * n * 4, 64);
  const C0 = BP + roundUp(k * Np * 4, 64);
  const BI = C0 + roundUp(Mp * Np * 4, 64);
  const S0 = BI + roundUp(Np * 4, 64);
  const sStride = roundUp(MC * Math.min(KC, k) * 4, 64);
  const end = S0 + sStride * threads;
  const pages = Math.ceil(end / PAGE);
  const have = s.mem.buffer.byteLength / PAGE;
  if (pages > MAX_PAGES)
    throw new Error(`matmul ${m}x${k}x${n}: needs ${end} bytes of wasm memory, over the 2 GiB cap`);
  if (pages > have) s.mem.grow(pages - have);
  const prof = profile;
  let t = prof ? performance.now() : 0;
  const f32 = new Float32Array(s.mem.buffer);
  f32.set(b, B0 / 4);
  if (bias) {
    f32.set(bias, BI / 4);
    f32.fill(0, BI / 4 + n, BI / 4 + Np); // the padded columns: finite, never copied out
  }

  const panels = Np / NR;
  ctl[CTL.A0] = A0;
  ctl[CTL.B0] = B0;
  ctl[CTL.BP] = BP;
  ctl[CTL.C0] = C0;
  ctl[CTL.S0] = S0;
  ctl[CTL.SSTRIDE] = sStride;
  ctl[CTL.M] = m;
  ctl[CTL.K] = k;
  ctl[CTL.N] = n;
  // A[i, p] at i*ars + p*acs; B[p, j] at p*brs + j*bcs (elements).
  ctl[CTL.ARS] = transA ? 1 : k;
  ctl[CTL.ACS] = transA ? m : 1;
  ctl[CTL.BRS] = transB ? 1 : n;
  ctl[CTL.BCS] = transB ? k : 1;
  ctl[CTL.KC] = KC;
  ctl[CTL.MC] = MC;
  ctl[CTL.NP] = Np;
  ctl[CTL.GROUP] = GROUP;
  ctl[CTL.TASKS1] = Math.ceil(k / KC) * Math.ceil(panels / GROUP);
  ctl[CTL.TASKS2] = Math.ceil(m / MC);
  ctl[CTL.MR] = MR;
  ctl[CTL.NR] = NR;
  ctl[CTL.BIAS] = bias ? BI : 0;
  Atomics.store(ctl, CTL.NEXT1, 0);
  Atomics.store(ctl, CTL.DONE1, 0);
  Atomics.store(ctl, CTL.NEXT2, 0);
  Atomics.store(ctl, CTL.DONE, 0);
  Atomics.store(ctl, CTL.AREADY, 0);
  if (useWorkers) {
    const tw = prof ? performance.now() : 0;
    Atomics.add(ctl, CTL.GEN, 1);
    Atomics.notify(ctl, CTL.GEN);
    if (prof) prof.wake += (performance.now() - tw) * 1000;
  }
  // Workers pack B~ meanwhile.
  f32.set(a, A0 / 4);
  Atomics.store(ctl, CTL.AREADY, 1);
  if (useWorkers) Atomics.notify(ctl, CTL.AREADY);
  if (prof) {
    const t1 = performance.now();
    prof.calls++;
    prof.copyIn += (t1 - t) * 1000;
    t = t1;
  }
  runGemmJob(ex, ctl, 0);
  if (prof) {
    const t1 = performance.now();
    prof.compute += (t1 - t) * 1000;
    t = t1;
  }
  if (useWorkers) {
    const want = s.workers.length;
    // Usually the workers are finishing their last block: spin (BARRIER_SPIN turns), then sleep.
    for (let i = 0, spin = ctl[CTL.BARRIER_SPIN]; i < spin && Atomics.load(ctl, CTL.DONE) < want; i++);
    for (let d = Atomics.load(ctl, CTL.DONE); d < want; d = Atomics.load(ctl, CTL.DONE)) Atomics.wait(ctl, CTL.DONE, d);
  }
  if (prof) {
    const t1 = performance.now();
    prof.wait += (t1 - t) * 1000;
    t = t1;
  }
  // Out through set() into a fresh array: slice() of a shared memory is element by element, 2-5x slower.
  const c0 = C0 / 4;
  const out = take(m * n);
  if (Np === n) out.set(f32.subarray(c0, c0 + m * n));
  else if (n >= 256) for (let i = 0; i < m; i++) out.set(f32.subarray(c0 + i * Np, c0 + i * Np + n), i * n);
  // Narrow rows (a Linear(*, 1)'s output): a subarray per row costs more (~0.3 us) than the row's values.
  else for (let i = 0, o = 0; i < m; i++) for (let j = 0, q = c0 + i * Np; j < n; j++) out[o++] = f32[q++];
  if (prof) prof.copyOut += (performance.now() - t) * 1000;
  return out;
}
