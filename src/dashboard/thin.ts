/**
 * Thinning for long runs: a series of n points drawn as at most `buckets`
 * points, each the mean of the values in its bucket, so a 100k-step run draws
 * as fast as a 1k-step one. Below `buckets` points the series is drawn as is.
 */
export function bucketEdges(n: number, buckets: number): number[] {
  const k = Math.min(n, buckets);
  return Array.from({ length: k + 1 }, (_, i) => Math.round((i * n) / k));
}

/** The x (the mean position, 1-based) of each bucket. */
export function bucketX(edges: number[]): number[] {
  const xs: number[] = [];
  for (let b = 0; b + 1 < edges.length; b++) xs.push((edges[b] + 1 + edges[b + 1]) / 2);
  return xs;
}

/** `values` (indexed by position) averaged over the buckets; null where a bucket has no finite value. */
export function bucketMeans(values: readonly number[], edges: number[]): (number | null)[] {
  const out: (number | null)[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    let sum = 0,
      count = 0;
    for (let i = edges[b]; i < edges[b + 1] && i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    out.push(count ? sum / count : null);
  }
  return out;
}
