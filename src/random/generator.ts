/**
 * A PyTorch-compatible CPU random generator: `torch.Generator` / `CPUGeneratorImpl` of
 * PyTorch 1.13 (AVX2 build), so that seeded runs draw the very numbers PyTorch draws.
 * The algorithms are written down in docs/torch-rng.md; test/fixtures/rng.json
 * is the judge.
 */
import { boxMullerDouble, normalFill16 } from './box-muller';
import { fma32, fma64 } from './fma';
import { MT19937, type MT19937State } from './mt19937';

const TWO_POW_64 = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = TWO_POW_64 - 1n;
const SEED_RANGE = '[-(2^63), 2^64 - 1] (int64 or uint64)';
/** PyTorch's default CPU seed (`default_rng_seed_val`). */
export const DEFAULT_SEED = 67280421310721n;

/** A JSON-serialisable snapshot of a Generator (`JSON.stringify` round-trips it). */
export interface GeneratorState {
  /** The initial seed as an unsigned 64-bit decimal string. */
  seed: string;
  /** The 624 MT19937 words. */
  mt: number[];
  /** Position of the next MT19937 word, 0..624. */
  index: number;
  /** The cached second double normal of the scalar Box-Muller, or null. */
  nextDoubleNormal: number | null;
}

/**
 * Check a seed and map it to uint64 like `torch.manual_seed`: unsigned values pass,
 * negative int64 values are reinterpreted (two's complement, s + 2^64).
 */
function toUint64Seed(seed: number | bigint): bigint {
  let s: bigint | undefined;
  if (typeof seed === 'bigint') s = seed;
  else if (typeof seed === 'number' && Number.isInteger(seed)) s = BigInt(seed);
  if (s === undefined || s < INT64_MIN || s > UINT64_MAX) {
    throw new Error(`manualSeed: seed must be an integer in ${SEED_RANGE}, got ${String(seed)}`);
  }
  return s < 0n ? s + TWO_POW_64 : s;
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${what}: n must be a non-negative integer, got ${n}`);
  }
}

/**
 * A seeded random stream that draws PyTorch 1.13's CPU numbers (`torch.Generator`: MT19937,
 * Box-Muller normals), so seeded runs match PyTorch bit for bit.
 * @example
 * ```ts
 * import { Generator, randn } from 'rxnn';
 * const g = new Generator(42); // as torch.Generator().manual_seed(42)
 * const x = randn(3, { generator: g }); // torch.randn(3, generator=g)
 * ```
 */
export class Generator {
  private readonly engine = new MT19937();
  private seed = DEFAULT_SEED;
  private nextDoubleNormal: number | null = null;

  /**
   * A stream seeded with `seed` (default PyTorch's default seed, 67280421310721), as
   * `torch.Generator().manual_seed(seed)`.
   */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Seed the stream (and clear the cached normal). Accepts any integer in
   * [-(2^63), 2^64 - 1]; MT19937 is seeded with the low 32 bits, as PyTorch does.
   */
  manualSeed(seed: number | bigint): this {
    this.seed = toUint64Seed(seed);
    this.engine.seed(Number(this.seed & 0xffffffffn));
    this.nextDoubleNormal = null;
    return this;
  }

  /** The seed last given, as uint64 (a negative seed comes back as seed + 2^64). */
  initialSeed(): bigint {
    return this.seed;
  }

  /** Next 32-bit draw, an integer in [0, 2^32). */
  random(): number {
    return this.engine.nextU32();
  }

  /** Next 64-bit draw: the first 32-bit draw is the high word, the second the low. */
  random64(): bigint {
    const hi = this.engine.nextU32();
    const lo = this.engine.nextU32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `torch.empty((), dtype=torch.int64).random_()`: random64() mod 2^63. */
  randomInt64(): bigint {
    const hi = this.engine.nextU32() & 0x7fffffff;
    const lo = this.engine.nextU32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** float32 uniform in [0, 1): (random() & (2^24 - 1)) * 2^-24, exact in float32. */
  private uniform32(): number {
    return (this.engine.nextU32() & 0xffffff) * 2 ** -24;
  }

  /** float64 uniform in [0, 1): (random64() & (2^53 - 1)) * 2^-53, without BigInt. */
  private uniform64(): number {
    const hi = this.engine.nextU32() & 0x1fffff;
    const lo = this.engine.nextU32();
    return (hi * 2 ** 32 + lo) * 2 ** -53;
  }

  /** One standard normal in float64 (the scalar path), using and refilling the cache. */
  private doubleNormal(): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return cached;
    }
    const u1 = this.uniform64();
    const u2 = this.uniform64();
    const [first, second] = boxMullerDouble(u1, u2);
    this.nextDoubleNormal = second;
    return first;
  }

  /**
   * `torch.empty(n).uniform_(low, high)` (and `torch.rand(n)` with the defaults): for
   * float32 bounds lo, hi and u = (random() & (2^24 - 1)) * 2^-24,
   *   value = fma(u, hi - lo, lo), hi - lo rounded to float32, the FMA rounded once
   * (GCC fuses PyTorch's `x * (to - from) + from` in the AVX2 kernel; the fixtures
   * confirm the single rounding).
   */
  uniform(n: number, low = 0, high = 1): Float32Array {
    checkCount('uniform', n);
    if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
      throw new Error(`uniform: expects finite low <= high, got low=${low}, high=${high}`);
    }
    const lo = Math.fround(low);
    const width = Math.fround(Math.fround(high) - lo);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = fma32(this.uniform32(), width, lo);
    return out;
  }

  /**
   * `torch.randn(n)` / `torch.normal(mean, std, size=(n,))` as float32.
   * n < 16: per value the double Box-Muller with cache, value = fma64(z, std, mean)
   * rounded to float32 (mean and std stay double, as in PyTorch).
   * n >= 16: fill n float32 uniforms, transform each chunk of 16 with the vectorised
   * float32 Box-Muller; if n % 16 != 0, draw 16 fresh uniforms into the last 16 slots
   * (overwriting) and transform that window again. mean and std are cast to float32.
   */
  normal(n: number, mean = 0, std = 1): Float32Array {
    checkCount('normal', n);
    if (!Number.isFinite(mean) || !(std >= 0) || !Number.isFinite(std)) {
      throw new Error(`normal: expects a finite mean and a finite std >= 0, got mean=${mean}, std=${std}`);
    }
    const out = new Float32Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = fma64(this.doubleNormal(), std, mean);
      return out;
    }
    const meanF = Math.fround(mean);
    const stdF = Math.fround(std);
    for (let i = 0; i < n; i++) out[i] = this.uniform32();
    for (let i = 0; i + 16 <= n; i += 16) normalFill16(out, i, meanF, stdF);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = this.uniform32();
      normalFill16(out, n - 16, meanF, stdF);
    }
    return out;
  }

  /**
   * `torch.randperm(n)`: start from [0 .. n-1]; for i in 0..n-2, z = random() mod (n - i),
   * swap r[i] and r[i + z] (a Fisher-Yates shuffle driven by 32-bit draws).
   */
  randperm(n: number): number[] {
    checkCount('randperm', n);
    const r = new Array<number>(n);
    for (let i = 0; i < n; i++) r[i] = i; // a plain loop: Array.from with a callback costs more than the shuffle
    for (let i = 0; i < n - 1; i++) {
      const z = this.engine.nextU32() % (n - i);
      const t = r[i];
      r[i] = r[i + z];
      r[i + z] = t;
    }
    return r;
  }

  /** Snapshot the full state (engine, seed, normal cache) as plain JSON data. */
  getState(): GeneratorState {
    const { words, index } = this.engine.getState();
    return { seed: this.seed.toString(), mt: words, index, nextDoubleNormal: this.nextDoubleNormal };
  }

  /** Restore a snapshot from `getState()`; the stream continues exactly where it was. */
  setState(state: GeneratorState): void {
    const { seed, mt, index, nextDoubleNormal } = state;
    if (typeof seed !== 'string' || !/^\d+$/.test(seed) || BigInt(seed) > UINT64_MAX) {
      throw new Error(`setState: seed must be a uint64 decimal string, got ${String(seed)}`);
    }
    if (nextDoubleNormal !== null && !Number.isFinite(nextDoubleNormal)) {
      throw new Error(`setState: nextDoubleNormal must be a finite number or null, got ${nextDoubleNormal}`);
    }
    const engineState: MT19937State = { words: mt, index };
    this.engine.setState(engineState);
    this.seed = BigInt(seed);
    this.nextDoubleNormal = nextDoubleNormal;
  }
}

/** The global generator (`torch.default_generator`), seeded with PyTorch's default seed. */
export const defaultGenerator = new Generator(DEFAULT_SEED);

/**
 * `torch.manual_seed(seed)`: seed the global generator and return it.
 *
 * @example
 * ```ts
 * import { manualSeed, randn } from 'rxnn';
 * manualSeed(420);
 * randn(3).toArray(); // [-1.6976524591445923, 0.6374253034591675, 0.07810661941766739], as torch.randn(3)
 * ```
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
