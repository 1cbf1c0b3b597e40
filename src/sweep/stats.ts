/**
 * The statistics a sweep reports: mean, sample standard deviation, median and a
 * Student-t 95% confidence interval of the mean, and paired comparisons over
 * the same seeds. Non-finite values (a diverged run) are counted apart, never averaged.
 */

/** Summary of one sample. `n` counts the finite values the figures are computed from. */
export interface Stats {
  n: number;
  /** Values that were NaN or infinite, left out of every figure. */
  nonFinite: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN below two values. */
  sd: number;
  median: number;
  /** 95% confidence interval of the mean, Student t with n − 1 degrees of freedom; NaN below two values. */
  ciLow: number;
  ciHigh: number;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile of Student's t: the `t` with P(T ≤ t) = p, by bisection on the CDF.
 *
 * @example
 * studentTQuantile(0.975, 29); // 2.0452…
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(df > 0) || !(p > 0 && p < 1))
    throw new RangeError(`studentTQuantile: expected 0 < p < 1 and df > 0, got p ${p}, df ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Arithmetic mean (NaN for no values). */
export const mean = (xs: number[]): number => (xs.length ? sum(xs) / xs.length : NaN);

/** Sample standard deviation, n − 1 in the denominator (NaN below two values). */
export function sd(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
}

/** Median: the middle value, or the mean of the two middle ones. */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Mean, sd, median and the 95% Student-t confidence interval of the finite values.
 *
 * @example
 * describeSample([1, 2, 3]); // { n: 3, mean: 2, sd: 1, median: 2, ciLow: -0.484…, ciHigh: 4.484…, nonFinite: 0 }
 */
export function describeSample(values: number[]): Stats {
  const xs = values.filter(Number.isFinite);
  const m = mean(xs);
  const s = sd(xs);
  const half = xs.length >= 2 ? (studentTQuantile(0.975, xs.length - 1) * s) / Math.sqrt(xs.length) : NaN;
  return {
    n: xs.length,
    nonFinite: values.length - xs.length,
    mean: m,
    sd: s,
    median: median(xs),
    ciLow: m - half,
    ciHigh: m + half,
  };
}

/** A paired comparison of two models over the seeds both finished with finite values. */
export interface Paired {
  /** Mean of a − b, with its 95% CI. */
  diff: Stats;
  /** Seeds where a is better, where b is better, and ties. */
  aBetter: number;
  bBetter: number;
  ties: number;
}

/**
 * Compares `a` and `b`, paired by index (seed): the differences a − b and how
 * many pairs favour each side; `lowerIsBetter` for a loss, not for an accuracy.
 *
 * @example
 * paired([1, 2, 3], [2, 2, 5], true); // diff.mean −1, aBetter 2, bBetter 0, ties 1
 */
export function paired(a: number[], b: number[], lowerIsBetter: boolean): Paired {
  if (a.length !== b.length)
    throw new RangeError(`paired: expected samples of one length, got ${a.length} and ${b.length}`);
  const d: number[] = [];
  let aBetter = 0;
  let bBetter = 0;
  let ties = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) continue;
    const x = a[i] - b[i];
    d.push(x);
    if (x === 0) ties++;
    else if (x < 0 === lowerIsBetter) aBetter++;
    else bBetter++;
  }
  return { diff: describeSample(d), aBetter, bBetter, ties };
}
