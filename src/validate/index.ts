/**
 * Argument checks for the public API, one helper for every boundary: an error
 * names the function, the argument, the value (as JavaScript prints it) and
 * what was expected; nothing is coerced. Bottom layer: imports nothing.
 */

/** A bad argument to a public function; `message` reads `fn: arg must be …, got …`. */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
  constructor(
    readonly fn: string,
    readonly arg: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${fn}: ${arg} must be ${expected}, got ${show(value)}`);
  }
}

/**
 * A value as an error message shows it: numbers as JavaScript prints them (NaN,
 * Infinity, -0, 1e+21; JSON would write null or 0), strings quoted, arrays
 * element by element (long ones cut), objects by their constructor and keys.
 */
export function show(v: unknown, depth = 0): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined || v === null || typeof v === 'boolean' || typeof v === 'symbol') return String(v);
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (Array.isArray(v)) {
    if (depth > 1) return `[…${v.length} items]`;
    const items = v.slice(0, 8).map((x: unknown) => show(x, depth + 1));
    return `[${items.join(', ')}${v.length > 8 ? `, …${v.length - 8} more` : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  const ctor = v.constructor?.name;
  if (ctor && ctor !== 'Object') return `a ${ctor}`;
  const keys = Object.keys(v);
  return `{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`;
}

/** What an argument must be: a description for the message and the test. */
export interface Expect<T> {
  readonly what: string;
  test(v: unknown): v is T;
}

/** An expectation from a description and a predicate. */
export function expect<T>(what: string, test: (v: unknown) => boolean): Expect<T> {
  return { what, test: test as (v: unknown) => v is T };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The common expectations. `number` admits NaN and ±Infinity (tensor data may hold them); `finite` does not. */
export const is = {
  number: expect<number>('a number', (v) => typeof v === 'number'),
  finite: expect<number>('a finite number', (v) => typeof v === 'number' && Number.isFinite(v)),
  int: expect<number>('an integer', isInt),
  nonNegativeInt: expect<number>('a non-negative integer', (v) => isInt(v) && v >= 0 && !Object.is(v, -0)),
  positiveInt: expect<number>('a positive integer', (v) => isInt(v) && v > 0),
  boolean: expect<boolean>('true or false', (v) => typeof v === 'boolean'),
  string: expect<string>('a string', (v) => typeof v === 'string'),
  /** A shape: a list of non-negative integers. */
  shape: expect<number[]>(
    'a list of non-negative integers',
    (v) => Array.isArray(v) && v.every((d) => isInt(d) && d >= 0),
  ),
  /** A number in the closed range [lo, hi]. */
  range: (lo: number, hi: number): Expect<number> =>
    expect<number>(`a number from ${lo} to ${hi}`, (v) => typeof v === 'number' && v >= lo && v <= hi),
  oneOf: <T extends string | number | boolean>(...values: T[]): Expect<T> =>
    expect<T>(`one of ${values.map((x) => show(x)).join(', ')}`, (v) => values.includes(v as T)),
  instance: <T>(ctor: abstract new (...a: never[]) => T, what = `a ${ctor.name}`): Expect<T> =>
    expect<T>(what, (v) => v instanceof ctor),
  either: <A, B>(a: Expect<A>, b: Expect<B>): Expect<A | B> =>
    expect<A | B>(`${a.what} or ${b.what}`, (v) => a.test(v) || b.test(v)),
};

/** Returns `value` when it meets `e`, else throws an ArgumentError naming `fn`, `arg` and the value. */
export function check<T>(fn: string, arg: string, value: unknown, e: Expect<T>): T {
  if (!e.test(value)) throw new ArgumentError(fn, arg, value, e.what);
  return value;
}

/** The type an options shape describes: every key optional, as in an options object. */
export type OptionsOf<S extends Record<string, Expect<unknown>>> = {
  [K in keyof S]?: S[K] extends Expect<infer T> ? T : never;
};

/**
 * Checks an options object as TypeScript would at compile time: undefined or a
 * plain object whose keys are all in `shape` and whose values (where not
 * undefined) meet their expectation. Returns it (or `{}`).
 */
export function options<S extends Record<string, Expect<unknown>>>(
  fn: string,
  arg: string,
  value: unknown,
  shape: S,
): OptionsOf<S> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArgumentError(fn, arg, value, `an options object with keys ${Object.keys(shape).join(', ')}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (!Object.hasOwn(shape, k)) {
      throw new ArgumentError(fn, `${arg}.${k}`, v, `absent (${arg} takes ${Object.keys(shape).join(', ')})`);
    }
    if (v !== undefined) check(fn, `${arg}.${k}`, v, shape[k]);
  }
  return value;
}
