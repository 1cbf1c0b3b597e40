/** Argument checks shared by the data helpers: each error names the argument, the value and what was expected. */

/**
 * A value as an error message shows it: numbers as JavaScript prints them (NaN,
 * Infinity, 1e+21, which JSON would turn into null), arrays element by element,
 * strings quoted.
 */
export function show(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || v === undefined) return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

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
