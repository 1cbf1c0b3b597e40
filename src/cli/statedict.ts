/** A state dict as JSON: tensors as `{shape, data}` (flat, row-major), counters as numbers. */
export type StateDictJSON = Record<string, { shape: number[]; data: number[] } | number>;

/**
 * A state dict as plain JSON that `module.loadStateDict(JSON.parse(text))`
 * takes back. float32 values survive the trip exactly: each is printed as the
 * shortest double that reads back to itself, which rounds to the same float32.
 */
export function stateDictToJSON(
  sd: Record<string, { shape: readonly number[]; data: ArrayLike<number> } | number>,
): StateDictJSON {
  const out: StateDictJSON = {};
  for (const [k, v] of Object.entries(sd)) {
    out[k] = typeof v === 'number' ? v : { shape: [...v.shape], data: Array.from(v.data) };
  }
  return out;
}
