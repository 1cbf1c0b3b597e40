/** Dimension arguments, checked and normalised once for every op. */
import { ArgumentError } from '../../validate';

/** A dim in [-ndim, ndim) as a non-negative index; throws naming the dim and the valid range. */
export function normalizeDim(dim: number, ndim: number, what = 'dim'): number {
  const lo = -Math.max(ndim, 1),
    hi = Math.max(ndim, 1) - 1;
  if (typeof dim !== 'number') throw new ArgumentError(what, 'dim', dim, 'an integer');
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new Error(`${what}: dimension ${dim} out of range (expected to be in range of [${lo}, ${hi}])`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Sorted, distinct axes; undefined means every axis. */
export function normalizeDims(dim: number | number[] | undefined, ndim: number, what = 'dim'): number[] {
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0)) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof dim !== 'number' && !Array.isArray(dim))
    throw new ArgumentError(what, 'dim', dim, 'an integer, a list of integers or undefined');
  const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeDim(d, ndim, what));
  if (ndim === 0) return []; // a 0-d tensor accepts dim 0 / -1 and has nothing to reduce
  const set = [...new Set(dims)].sort((a, b) => a - b);
  if (set.length !== dims.length)
    throw new Error(`${what}: dim ${JSON.stringify(dim)} appears multiple times in the list of dims`);
  return set;
}

/** The shape after reducing `axes`, with size-1 axes kept or dropped. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}
