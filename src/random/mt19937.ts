/**
 * MT19937, the 32-bit Mersenne Twister, exactly as PyTorch's CPU generator runs it
 * (`at::mt19937` in ATen/core/MT19937RNGEngine.h). Every random stream in this folder
 * starts here, so a bit-for-bit copy of PyTorch's streams needs a bit-for-bit engine.
 *
 * Seeding (Knuth's multiplier, as in the reference implementation):
 *   state[0] = seed & 0xffffffff
 *   state[i] = (1812433253 * (state[i-1] ^ (state[i-1] >>> 30)) + i) mod 2^32, i = 1..623
 * PyTorch passes its 64-bit seed in and keeps only the low 32 bits for the state.
 */

/** Number of 32-bit words in the state. */
export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A saved engine: the 624 state words and the position of the next word to temper. */
export interface MT19937State {
  /** The 624 state words, each an unsigned 32-bit integer. */
  words: number[];
  /** Index of the next word to output, 0..624 (624: a twist is due before the next draw). */
  index: number;
}

export class MT19937 {
  private readonly mt = new Uint32Array(MT_N);
  private index = MT_N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** Re-seed with the low 32 bits of the integer `seed32` (ToUint32, i.e. mod 2^32). */
  seed(seed32: number): void {
    const mt = this.mt;
    mt[0] = seed32 >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // Math.imul gives the product mod 2^32 (as int32); `>>> 0` makes it unsigned.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = MT_N;
  }

  /** Regenerate all 624 words (the standard twist). */
  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < MT_N; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % MT_N] & LOWER_MASK);
      mt[i] = mt[(i + MT_M) % MT_N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** The next 32-bit output, an unsigned integer in [0, 2^32). */
  nextU32(): number {
    if (this.index >= MT_N) this.twist();
    let y = this.mt[this.index++];
    // Tempering: shifts 11, 7, 15, 18 with masks 0x9d2c5680 and 0xefc60000.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A copy of the state, so that a checkpoint can resume the identical stream. */
  getState(): MT19937State {
    return { words: Array.from(this.mt), index: this.index };
  }

  /** Restore a state from `getState()`; throws if it is malformed. */
  setState(state: MT19937State): void {
    const { words, index } = state;
    if (!Array.isArray(words) || words.length !== MT_N) {
      throw new Error(`MT19937 state needs ${MT_N} words, got ${Array.isArray(words) ? words.length : typeof words}`);
    }
    if (!Number.isInteger(index) || index < 0 || index > MT_N) {
      throw new Error(`MT19937 state index must be an integer in [0, ${MT_N}], got ${index}`);
    }
    for (let i = 0; i < MT_N; i++) {
      const w = words[i];
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new Error(`MT19937 state word ${i} must be an unsigned 32-bit integer, got ${w}`);
      }
      this.mt[i] = w;
    }
    this.index = index;
  }
}
