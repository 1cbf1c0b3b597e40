import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { Tensor } from '../../src';

/** PyTorch's outputs live in ../shared/fixtures beside the checkout (format in its README). */
export const FIXTURES = resolve(__dirname, '../../../shared/fixtures');

export interface FixtureTensor { shape: number[]; data: number[] }

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), 'utf8')) as T;
}

/**
 * Asserts |a - b| <= atol + rtol·|b| element-wise (the project's parity bar:
 * 1e-5 + 1e-4·|b|) and equal shapes, naming the worst element on failure.
 */
export function expectClose(actual: Tensor | null | undefined, expected: FixtureTensor | null | undefined,
  what: string, atol = 1e-5, rtol = 1e-4): void {
  if (expected == null) {
    expect(actual ?? null, `${what} should be absent`).toBeNull();
    return;
  }
  expect(actual, `${what} is missing`).toBeTruthy();
  expect([...actual!.shape], `${what} shape`).toEqual(expected.shape);
  let worst = -1, worstExcess = 0;
  expected.data.forEach((b, i) => {
    const excess = Math.abs(actual!.data[i] - b) - (atol + rtol * Math.abs(b));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) { worst = i; worstExcess = excess; }
  });
  if (worst >= 0) {
    throw new Error(`${what}: element ${worst} is ${actual!.data[worst]}, PyTorch gives ${expected.data[worst]} `
      + `(tolerance ${atol} + ${rtol}·|b|)`);
  }
}
