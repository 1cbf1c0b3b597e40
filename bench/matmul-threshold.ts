/**
 * Where the matmul paths cross: the plain float64 loop, the wasm SIMD sgemm on
 * the calling thread, and the wasm sgemm with workers. Prints median
 * microseconds per call for square sizes and the shapes of the W1/W2 workloads;
 * the thresholds in src/backend/js/matmul.ts (WASM_MIN_MACS) and
 * src/backend/wasm/gemm.ts (parallelMinFlops) come from this.
 * Run: npx ts-node bench/matmul-threshold.ts
 */
import { matmulLoop } from '../src/backend/js/matmul';
import { gemm, gemmConfig } from '../src/backend/wasm/gemm';

const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

function medianUs(f: () => void, budgetMs = 150): number {
  f();
  const ts: number[] = [];
  const t0 = performance.now();
  while (ts.length < 5 || (performance.now() - t0 < budgetMs && ts.length < 2000)) {
    const s = performance.now();
    f();
    ts.push(performance.now() - s);
  }
  ts.sort((x, y) => x - y);
  return ts[ts.length >> 1] * 1000;
}

const shapes: [number, number, number, boolean, boolean][] = [
  [10, 2, 4, false, false],
  [10, 4, 1, false, false],
  [4, 10, 2, true, false],
  [8, 8, 8, false, false],
  [16, 16, 16, false, false],
  [24, 24, 24, false, false],
  [32, 32, 32, false, false],
  [48, 48, 48, false, false],
  [64, 64, 64, false, false],
  [96, 96, 96, false, false],
  [128, 128, 128, false, false],
  [256, 64, 256, false, true],
  [256, 256, 256, false, true],
  [256, 256, 256, false, false],
  [256, 256, 256, true, false],
];
console.log(gemmConfig());
console.log('m k n tA tB | loop us | wasm 1 thread us | wasm all threads us');
for (const [m, k, n, tA, tB] of shapes) {
  const a = rnd(m * k),
    b = rnd(k * n);
  const loop = medianUs(() => matmulLoop(a, b, m, k, n, tA, tB));
  const w1 = medianUs(() => gemm(a, b, m, k, n, tA, tB, false));
  const w2 = medianUs(() => gemm(a, b, m, k, n, tA, tB, true));
  console.log(`${m} ${k} ${n} ${+tA} ${+tB} | ${loop.toFixed(2)} | ${w1.toFixed(2)} | ${w2.toFixed(2)}`);
}
