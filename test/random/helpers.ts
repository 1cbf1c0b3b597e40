/** Shared helpers for the random-stream tests: the PyTorch fixture and float32 comparisons. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** One seed's worth of test/fixtures/rng.json (see test/fixtures/README.md). */
export interface RngCase {
  seed: number;
  [key: string]: unknown;
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'rng.json');

export function loadRngCases(): RngCase[] {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: RngCase[] };
  return doc.cases;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Map a float32 to an integer whose order matches the floats' order (-0 and +0 both 0). */
function ordinal(x: number): number {
  f32[0] = x;
  const bits = i32[0];
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

/** Number of float32 values between a and b (0 when their float32 values are equal). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

/** Largest ulp distance between two equally long float sequences. */
export function maxUlp(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, ulpDistance(got[i], expected[i]));
  return worst;
}

/**
 * Assert the float32 bits of `got` equal the fixture's numbers, Math.fround(expected[i])
 * === got[i] for every i; on failure the message names the first differing index.
 */
export function expectSameF32(got: ArrayLike<number>, expected: readonly number[], label: string): void {
  expect(got.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.fround(expected[i]) !== got[i]) {
      expect.fail(`${label}[${i}]: got ${got[i]}, PyTorch ${expected[i]} (${ulpDistance(got[i], expected[i])} ulps)`);
    }
  }
}
