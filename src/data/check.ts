/** Argument checks shared by the data helpers: each error names the argument, the value and what was expected. */

/** A value as an error message shows it (the library's one rendering: NaN, -0, 1n, quoted strings). */
export { show } from '../validate';
import { show } from '../validate';

export function positiveInt(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new Error(`${what}: ${name} must be a positive integer, got ${show(v)}`);
  }
  return v;
}

export function nonNegativeInt(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`${what}: ${name} must be a non-negative integer, got ${show(v)}`);
  }
  return v;
}

export function finiteNumber(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`${what}: ${name} must be a finite number, got ${show(v)}`);
  return v;
}
