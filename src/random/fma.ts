/**
 * Fused multiply-add with a single rounding, for float32 and float64.
 *
 * Why: PyTorch 1.13's CPU kernels are compiled for AVX2 with FMA and GCC contracts
 * `a * b + c` into one `vfmadd` instruction, which rounds once. Reproducing its bits
 * (uniform_ on a float tensor, normal(mean, std), the vectorised Box-Muller) needs the
 * same single rounding; JavaScript only has double arithmetic, so we emulate it.
 *
 * Both use rounding to odd (Boldo & Melquiond, "Emulation of FMA and correctly rounded
 * sums: proved algorithms using rounding to odd", IEEE TC 2008): if an exact value x is
 * first rounded to odd at a precision of at least p + 2 bits, rounding that result to
 * nearest at p bits gives RN_p(x). Round-to-odd RO(x) = x when representable, otherwise
 * whichever of the two neighbours has an odd last significand bit.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // u32[LO] is the low word of f64[0]
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1; // little-endian: 0
const HI = 1 - LO;

/**
 * RO(s + err) at double precision, given s = RN(x) and the exact remainder err = x - s
 * (from TwoSum): keep s if x = s or s is already odd, else step one ulp toward err.
 */
function roundToOdd(s: number, err: number): number {
  if (err === 0 || !Number.isFinite(s)) return s;
  f64[0] = s;
  if (u32[LO] & 1) return s;
  // Same signs: the exact value is farther from zero (magnitude + 1 ulp), else nearer.
  if (err > 0 === s > 0) {
    u32[LO] += 1; // low bit was 0: no carry
  } else if (u32[LO] === 0) {
    u32[HI] -= 1;
    u32[LO] = 0xffffffff;
  } else {
    u32[LO] -= 1;
  }
  return f64[0];
}

/**
 * float32 FMA: RN32(a * b + c) for float32 inputs a, b, c.
 * a * b is exact in double (24 + 24 <= 53 significand bits); p + c is rounded to odd
 * in double (53 >= 24 + 2), then Math.fround rounds once more to nearest float32.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  // TwoSum (Knuth): err = (p + c) - s exactly.
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  return Math.fround(roundToOdd(s, err));
}

/** Veltkamp splitting constant 2^27 + 1 for Dekker's exact product. */
const SPLIT = 134217729;

/**
 * float64 FMA: RN64(a * b + c), for finite inputs with |a * b| well inside the double
 * range (no overflow in the split, no underflow in the product's low part).
 * Algorithm (Boldo & Melquiond): uh + ul = a * b exactly (Dekker); th + tl = c + uh
 * exactly (TwoSum); v = RO(tl + ul); result = RN(th + v).
 */
export function fma64(a: number, b: number, c: number): number {
  const uh = a * b;
  // Dekker's TwoProduct: ul = a * b - uh exactly.
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const ul = ah * bh - uh + ah * bl + al * bh + al * bl;
  // TwoSum: th + tl = c + uh.
  const th = c + uh;
  let bv = th - c;
  const tl = c - (th - bv) + (uh - bv);
  // v = RO(tl + ul)
  const w = tl + ul;
  bv = w - tl;
  const we = tl - (w - bv) + (ul - bv);
  const v = roundToOdd(w, we);
  return th + v;
}
