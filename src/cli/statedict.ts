/**
 * State dicts as JSON. JSON has no NaN or ±Infinity (JSON.stringify writes
 * null, and -0 as 0), so a non-finite value is written as the string "NaN",
 * "Infinity" or "-Infinity", and -0 as "-0"; every other value is a number. Reading is strict: anything else
 * is an error naming the key and the element, never a silent 0 or NaN.
 */

/** One element of a tensor's data in JSON: a finite number or the name of a non-finite one. */
export type JsonFloat = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** A state dict as JSON: tensors as `{shape, data}` (flat, row-major), counters as numbers. */
export type StateDictJSON = Record<string, { shape: number[]; data: JsonFloat[] } | number>;

/** A decoded state dict: what `module.loadStateDict` takes. */
export type StateDictValues = Record<string, { shape: number[]; data: Float32Array } | number>;

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** A float as JSON: itself when finite, else its name; -0 (which JSON writes as 0) as "-0". */
export const encodeFloat = (x: number): JsonFloat =>
  Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';

/**
 * A state dict as plain JSON, lossless: float32 values survive the trip
 * exactly (each is printed as the shortest double that reads back to itself),
 * NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity", and -0 as "-0".
 *
 * @example
 * writeFileSync('pre.json', JSON.stringify(stateDictToJSON(model.stateDict())));
 */
export function stateDictToJSON(
  sd: Record<string, { shape: readonly number[]; data: ArrayLike<number> } | number>,
): StateDictJSON {
  const out: StateDictJSON = {};
  for (const [k, v] of Object.entries(sd)) {
    out[k] = typeof v === 'number' ? v : { shape: [...v.shape], data: Array.from(v.data, encodeFloat) };
  }
  return out;
}

/** A state dict that does not decode: `message` names where, the key and the problem. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes a state dict's JSON strictly, against the model's own state dict
 * (`expected`: its keys, shapes and counters). Each error is one line,
 * `where: key "…": …`, stating the real mismatch (a missing key, a shape, a
 * data length, an element that is not a number).
 */
export function stateDictFromJSON(
  json: unknown,
  expected: Record<string, { shape: readonly number[] } | number>,
  where: string,
): StateDictValues {
  if (!isObject(json)) throw new StateDictError(`${where}: expected an object of named tensors, got ${show(json)}`);
  const out: StateDictValues = {};
  for (const key of Object.keys(json)) {
    if (!(key in expected)) {
      throw new StateDictError(
        `${where}: key ${JSON.stringify(key)} is not in the model (its keys: ${Object.keys(expected).join(', ')})`,
      );
    }
  }
  for (const [key, want] of Object.entries(expected)) {
    const at = `${where}: key ${JSON.stringify(key)}`;
    if (!(key in json)) throw new StateDictError(`${at}: missing`);
    const v = json[key];
    if (typeof want === 'number') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        throw new StateDictError(`${at}: expected a non-negative integer (a counter), got ${show(v)}`);
      out[key] = v;
      continue;
    }
    if (!isObject(v) || !Array.isArray(v.shape) || !Array.isArray(v.data))
      throw new StateDictError(`${at}: expected {shape, data}, got ${show(v)}`);
    const shape = v.shape as unknown[];
    if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
      throw new StateDictError(`${at}: shape must be a list of non-negative integers, got ${show(shape)}`);
    if (shape.join() !== want.shape.join())
      throw new StateDictError(
        `${at}: shape [${shape.join(', ')}] differs from the model's [${want.shape.join(', ')}]`,
      );
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const src = v.data as unknown[];
    if (src.length !== size)
      throw new StateDictError(`${at}: shape [${shape.join(', ')}] needs ${size} values, data has ${src.length}`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const x = src[i];
      if (typeof x === 'number') data[i] = x;
      else if (typeof x === 'string' && Object.hasOwn(NON_FINITE, x)) data[i] = NON_FINITE[x];
      else
        throw new StateDictError(
          `${at}: data[${i}] must be a number or "NaN", "Infinity", "-Infinity", "-0", got ${show(x)}`,
        );
    }
    out[key] = { shape: shape as number[], data };
  }
  return out;
}

/**
 * Any JSON-bound value (an optimizer's state dict) with its numbers made lossless as in a state
 * dict: NaN, ±Infinity and -0 as their names; every other value as it is.
 *
 * @example
 * JSON.stringify(encodeNumbers({ lr: 0.1, momentumBuffers: [[NaN, -0]] })); // {"lr":0.1,"momentumBuffers":[["NaN","-0"]]}
 */
export function encodeNumbers(value: unknown): unknown {
  if (typeof value === 'number') return encodeFloat(value);
  if (Array.isArray(value)) return value.map(encodeNumbers);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeNumbers(v)]));
  return value;
}

/** The inverse of {@link encodeNumbers}: the strings "NaN", "Infinity", "-Infinity" and "-0" back to numbers. */
export function decodeNumbers(value: unknown): unknown {
  if (typeof value === 'string' && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
  if (Array.isArray(value)) return value.map(decodeNumbers);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNumbers(v)]));
  return value;
}
