/** Timing helpers for bench/: medians over repeated runs, bounded by a time budget. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Median milliseconds of `f` after `warmup` untimed calls: at least `minReps`
 * timed calls, then more while under `budgetMs` (at most `maxReps`).
 */
export async function medianMs(
  f: () => unknown,
  opts: { budgetMs?: number; minReps?: number; maxReps?: number; warmup?: number } = {},
): Promise<number> {
  const { budgetMs = 1500, minReps = 3, maxReps = 200, warmup = 1 } = opts;
  for (let i = 0; i < warmup; i++) await f();
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < minReps || (ts.length < maxReps && performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** 2 n^3 flops in `ms` milliseconds, as GFLOP/s. */
export const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);

export const fmt = (x: number | undefined, digits = 3) =>
  x === undefined || !Number.isFinite(x) ? '-' : Number(x.toPrecision(digits)).toString();
