#!/usr/bin/env node
'use strict';
/**
 * The tiled WGSL matmul of rxnn's gpu backend in webgpu mode (src/backend/gpu/wgsl/matmul.ts),
 * on the GPU machine: K.matmul after setBackend('gpu', { mode: 'webgpu' }) for all four
 * transpose combinations at odd sizes (1x1x1, 7x13x5, 65x33x129, 300x257x190) and square
 * 256 .. 4096, each checked against a float64 reference (error within (k + 2) 2^-24 sum |a b|;
 * every entry up to 512, 512 sampled entries with the corners and last row and column above),
 * and timed end to end (Float32Array in, Float32Array out, through the worker bridge): the first
 * call (pipeline and buffers made) and the median of the next ones. Then the squares kernel only,
 * largest first ('kernel' lines: the runner dispatches `repeat` times before its one readback,
 * time by difference).
 * Then BatchNorm (still gpu.js, on the same device) against the js backend, and one matmul after it.
 *
 * Prints one JSON line per case and a summary line; exits 1 if any case failed.
 * Runs in a process of its own: Dawn's binding aborts when two isolates of a process use it.
 * Stops starting cases after BUDGET_S seconds (default 42) so that `timeout 60` never cuts a line.
 *
 * usage: RXNN_BUILD=.dev/gpu/build NODE_PATH=.dev/gpu/node_modules node bench/gpu/wgsl-check.cjs [sizes]
 */
const path = require('path');

const t0 = performance.now();
const budgetMs = 1000 * Number(process.env.BUDGET_S || 42);
// Kernel-only timing dispatches about KERNEL_TARGET_MS of kernel work per readback (the copies cancel
// in the difference, but their noise does not: at 4096 a longer target pins the figure).
const KERNEL_TARGET_MS = Number(process.env.KERNEL_TARGET_MS || 100);
const KERNEL_MAX_REPEAT = Number(process.env.KERNEL_MAX_REPEAT || 200);
const build = path.resolve(process.env.RXNN_BUILD || 'dist');
const squares = (process.argv[2] || '256,512,1024,2048,4096').split(',').map(Number);
const ODD = [
  [1, 1, 1],
  [7, 13, 5],
  [65, 33, 129],
  [300, 257, 190],
];
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
let passed = 0,
  failed = 0,
  skipped = 0;

const line = (o) => console.log(JSON.stringify(o));
const round = (x, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const seconds = () => round((performance.now() - t0) / 1000, 2);

function rand(len, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Worst |c - ref| / ((k + 2) 2^-24 sum |a b|) over the entries `at` (all when null). */
function check(a, b, c, m, k, n, transA, transB, at) {
  let worst = 0,
    where = -1;
  const one = (e) => {
    const i = Math.floor(e / n),
      j = e - i * n;
    let s = 0,
      abs = 0;
    for (let p = 0; p < k; p++) {
      const v = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      s += v;
      abs += Math.abs(v);
    }
    const r = Math.abs(c[e] - s) / ((k + 2) * 2 ** -24 * abs + 2 ** -126);
    if (!(r <= worst)) {
      worst = r;
      where = e;
    }
  };
  if (at) for (const e of at) one(e);
  else for (let e = 0; e < m * n; e++) one(e);
  return { worst, where };
}

/** 512 entries: the four corners, 64 along the last row and column each, the rest spread. */
function samples(m, n) {
  const at = new Set([0, n - 1, (m - 1) * n, m * n - 1]);
  for (let t = 0; t < 64; t++) {
    at.add((m - 1) * n + ((t * 37) % n));
    at.add(((t * 53) % m) * n + n - 1);
  }
  for (let t = 0; at.size < Math.min(512, m * n); t++) at.add(((t * 7919) % m) * n + ((t * 104729 + 13) % n));
  return [...at];
}

/**
 * Kernel time by difference: the runner dispatches the kernel `repeat` times before its one
 * readback, so (T(repeat) - T(1)) / (repeat - 1) leaves out the copies (median of 3). repeat
 * aims at about 100 ms of kernel work, from T(3) - T(1) but never more than a 40 TFLOP/s
 * kernel would need, so that a slow kernel costs little time. `same`: a repeated call returns
 * the single call's values bit for bit.
 */
function kernelOnly(runner, a, b, m, k, n, transA, transB, c) {
  const spec = {
    // as src/backend/gpu/ops.ts builds it
    source: 'matmul',
    key: `matmul:${m}x${k}x${n}:${+transA}${+transB}`,
    output: m * n,
    loopMax: k,
    constants: { n, k, aRow: transA ? 1 : k, aCol: transA ? m : 1, bRow: transB ? 1 : n, bCol: transB ? k : 1 },
  };
  const time = (r) => {
    const t = performance.now();
    const out = runner.run(spec, [a, b], { repeat: r });
    return [performance.now() - t, out];
  };
  const [t1] = time(1);
  const [t3, again] = time(3);
  let same = again.length === c.length;
  for (let i = 0; same && i < c.length; i++) same = Object.is(again[i], c[i]);
  const estMs = Math.max((t3 - t1) / 2, (2 * m * k * n) / 40e9, 0.02);
  const repeat = Math.min(KERNEL_MAX_REPEAT, Math.max(5, Math.round(KERNEL_TARGET_MS / estMs)));
  const diffs = [];
  for (let i = 0; i < 3; i++) diffs.push((time(repeat)[0] - time(1)[0]) / (repeat - 1));
  return { ms: median(diffs), repeat, same };
}

function main() {
  const { K, setBackend, getBackend } = require(path.join(build, 'src/backend/index.js'));
  const { activeRunner } = require(path.join(build, 'src/backend/gpu/index.js'));
  const ts = performance.now();
  try {
    setBackend('gpu', { mode: 'webgpu' });
  } catch (e) {
    line({ case: 'setup', ok: false, error: String(e && e.message).slice(0, 2000), s: seconds() });
    return 1;
  }
  const runner = activeRunner();
  line({
    case: 'setup',
    ok: runner.matmulEngine === 'wgsl',
    backend: getBackend(),
    matmulEngine: runner.matmulEngine,
    ms: round(performance.now() - ts, 1),
  });
  if (runner.matmulEngine !== 'wgsl') failed++;

  const cases = [];
  for (const [m, k, n] of ODD) for (const [tA, tB] of TRANSPOSES) cases.push([m, k, n, tA, tB]);
  for (const s of squares) for (const [tA, tB] of TRANSPOSES) cases.push([s, s, s, tA, tB]);
  for (const [m, k, n, transA, transB] of cases) {
    const row = { case: 'matmul', m, k, n, transA, transB };
    if (performance.now() - t0 > budgetMs) {
      skipped++;
      line({ ...row, skipped: 'time budget' });
      continue;
    }
    try {
      const a = rand(m * k, m * 7 + k + (transA ? 1 : 0)),
        b = rand(k * n, n * 13 + k + (transB ? 2 : 0));
      let t = performance.now();
      const c = K.matmul(a, b, m, k, n, transA, transB);
      const firstMs = performance.now() - t;
      if (!(c instanceof Float32Array) || c.length !== m * n)
        throw new Error(`result of length ${c && c.length}, expected ${m * n}`);
      const full = m * n * k <= 512 ** 3;
      const { worst, where } = check(a, b, c, m, k, n, transA, transB, full ? null : samples(m, n));
      const reps = m * n * k >= 1024 ** 3 ? 3 : 5;
      const times = [];
      for (let r = 0; r < reps; r++) {
        t = performance.now();
        K.matmul(a, b, m, k, n, transA, transB);
        times.push(performance.now() - t);
      }
      const ms = median(times);
      const ok = worst <= 1;
      if (ok) passed++;
      else failed++;
      line({
        ...row,
        ok,
        err: round(worst, 4),
        checked: full ? 'all' : 'sampled 512',
        ...(ok ? {} : { worstAt: [Math.floor(where / n), where % n], got: c[where] }),
        first_ms: round(firstMs, 2),
        ms: round(ms, 3),
        gflops: round((2 * m * k * n) / (ms * 1e6), 2),
      });
    } catch (e) {
      failed++;
      line({ ...row, ok: false, error: String(e && e.message).slice(0, 2000) });
    }
  }

  // Kernel only, squares largest first (what the budget leaves).
  for (const sq of [...squares].sort((x, y) => y - x)) {
    for (const [transA, transB] of TRANSPOSES) {
      const row = { case: 'kernel', m: sq, k: sq, n: sq, transA, transB };
      if (performance.now() - t0 > budgetMs) {
        skipped++;
        line({ ...row, skipped: 'time budget' });
        continue;
      }
      try {
        const a = rand(sq * sq, sq * 8 + (transA ? 1 : 0)),
          b = rand(sq * sq, sq * 14 + (transB ? 2 : 0));
        const r = kernelOnly(runner, a, b, sq, sq, sq, transA, transB, K.matmul(a, b, sq, sq, sq, transA, transB));
        if (r.same) passed++;
        else failed++;
        line({
          ...row,
          ok: r.same,
          kernel_ms: round(r.ms, 4),
          tflops: round((2 * sq ** 3) / (r.ms * 1e9), 2),
          repeat: r.repeat,
          ...(r.same ? {} : { error: 'a call with repeat returned other values than a single call' }),
        });
      } catch (e) {
        failed++;
        line({ ...row, ok: false, error: String(e && e.message).slice(0, 2000) });
      }
    }
  }

  // BatchNorm stays on gpu.js, on the same device: it must still agree with js, and matmul after it.
  try {
    const { jsKernels } = require(path.join(build, 'src/backend/js/index.js'));
    const x = rand(256 * 64, 5);
    const g = K.batchNormStats(x, 256, 64, 1),
      j = jsKernels.batchNormStats(x, 256, 64, 1);
    let d = 0;
    for (let i = 0; i < 64; i++)
      d = Math.max(d, Math.abs(g.mean[i] - j.mean[i]), Math.abs(g.varBiased[i] - j.varBiased[i]));
    const a = rand(70 * 20, 1),
      b = rand(20 * 68, 2);
    const c = K.matmul(a, b, 70, 20, 68, false, true);
    const { worst } = check(a, b, c, 70, 20, 68, false, true, null);
    const ok = d < 1e-4 && worst <= 1;
    if (ok) passed++;
    else failed++;
    line({ case: 'batchnorm-then-matmul', ok, bnMaxDiff: d, matmulErr: round(worst, 4) });
  } catch (e) {
    failed++;
    line({ case: 'batchnorm-then-matmul', ok: false, error: String(e && e.message).slice(0, 2000) });
  }

  line({
    case: 'summary',
    ok: failed === 0 && skipped === 0,
    passed,
    failed,
    skipped,
    compiles: runner.compiles,
    s: seconds(),
  });
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = main();
} catch (e) {
  line({ case: 'crash', ok: false, error: String(e && e.stack).slice(0, 2000), s: seconds() });
}
process.exit(code);
