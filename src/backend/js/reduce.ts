import { simd } from './simd';
import type { ReduceOp } from '../kernels';

/**
 * Views `shape` reduced over `axes` as [outer, reduced, inner] loops: for each
 * output element, `visit` receives the flat indices of the inputs it reduces.
 * Reduced axes need not be adjacent, so the reduced positions are enumerated
 * by an offset table computed once.
 */
interface Plan {
  offsets: Int32Array;
  bases: Int32Array;
}
const plans = new Map<string, Plan>();

/** Plans are cached per (shape, axes): a training loop reduces the same shapes every step. */
function reductionPlan(shape: readonly number[], axes: readonly number[]): Plan {
  const key = `${shape.join(',')}|${axes.join(',')}`;
  let plan = plans.get(key);
  if (!plan) {
    if (plans.size >= 1024) plans.clear();
    plans.set(key, (plan = makePlan(shape, axes)));
  }
  return plan;
}

function makePlan(shape: readonly number[], axes: readonly number[]): Plan {
  const reduced = new Set(axes);
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const keptAxes = shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const redAxes = shape.map((_, i) => i).filter((i) => reduced.has(i));
  const offsets = axisOffsets(redAxes, shape, strides);
  const bases = axisOffsets(keptAxes, shape, strides);
  return { offsets, bases };
}

/** Every flat offset reachable by varying `axes` (row-major order). */
function axisOffsets(axes: number[], shape: readonly number[], strides: number[]): Int32Array {
  const count = axes.reduce((p, a) => p * shape[a], 1);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let rem = i;
    let off = 0;
    for (let j = axes.length - 1; j >= 0; j--) {
      const d = shape[axes[j]];
      off += (rem % d) * strides[axes[j]];
      rem = Math.floor(rem / d);
    }
    out[i] = off;
  }
  return out;
}

/**
 * A sum over the leading axes 0..k-1 of at least this many elements (a bias
 * gradient: [batch, features] over 0) runs the wasm f64x2 column sweep of
 * src/backend/wasm/bn.ts: float64, the same order, the same bits (up to WASM_MAX_ELEMENTS).
 */
export const SUM_WASM_MIN = 1024;

/** Whether `axes` are 0, 1, ..., k-1 with k < ndim: a sum over leading axes, i.e. column sums of [rows, cols]. */
function leadingAxes(shape: readonly number[], axes: readonly number[]): boolean {
  if (axes.length >= shape.length) return false;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return false;
  return true;
}

export function reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[]): Float32Array {
  if (op === 'sum' && leadingAxes(shape, axes)) {
    let n = 1;
    for (let i = 0; i < axes.length; i++) n *= shape[axes[i]];
    const cols = n === 0 ? 0 : x.length / n;
    if (x.length >= SUM_WASM_MIN && x.length <= simd.maxElements) return simd.colSumRows(x, n, cols);
    if (cols > 0) {
      // Each column summed over the rows in order, in float64: the plan's order and bits, without its lookup.
      const out = new Float32Array(cols);
      for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let i = j; i < x.length; i += cols) acc += x[i];
        out[j] = acc;
      }
      return out;
    }
  }
  if (axes.length === shape.length && op === 'sum') {
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc += x[i];
    return Float32Array.of(acc);
  }
  const { offsets, bases } = reductionPlan(shape, axes);
  const out = new Float32Array(bases.length);
  for (let o = 0; o < bases.length; o++) {
    const base = bases[o];
    if (op === 'sum') {
      let acc = 0;
      for (let r = 0; r < offsets.length; r++) acc += x[base + offsets[r]];
      out[o] = acc;
    } else {
      let best = -Infinity;
      let arg = 0;
      for (let r = 0; r < offsets.length; r++) {
        const v = x[base + offsets[r]];
        // NaN wins, as in PyTorch's max/argmax.
        if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
          best = v;
          arg = r;
        }
      }
      out[o] = op === 'max' ? best : arg;
    }
  }
  return out;
}

export function variance(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
  correction: number,
): Float32Array {
  const { offsets, bases } = reductionPlan(shape, axes);
  const out = new Float32Array(bases.length);
  const n = offsets.length;
  for (let o = 0; o < bases.length; o++) {
    const base = bases[o];
    let sum = 0;
    for (let r = 0; r < n; r++) sum += x[base + offsets[r]];
    const mean = sum / n;
    let ss = 0;
    for (let r = 0; r < n; r++) {
      const d = x[base + offsets[r]] - mean;
      ss += d * d;
    }
    out[o] = ss / Math.max(0, n - correction);
  }
  return out;
}
