import { formatShape, sizeOf } from '../backend/shape';
import { ArgumentError, check, expect, is, options, show } from '../validate';
import { Tensor } from './tensor';

/** A number or (nested) arrays of numbers, rectangular: the values argument of {@link tensor}. */
export type NestedArray = number | NestedArray[];
/** Options of {@link tensor}. */
export interface TensorOptions {
  /** The shape to give the values, which must fill it exactly (without it a flat or typed array is 1-D). */
  shape?: readonly number[];
  /** Whether the tensor records operations for backward, as PyTorch's `requires_grad` (default false). */
  requiresGrad?: boolean;
}

/** The most elements one tensor holds (a Float32Array's limit). */
const MAX_ELEMENTS = 2 ** 32;

function checkShape(shape: readonly number[], what: string): void {
  if (Array.isArray(shape) && shape.every((d) => typeof d === 'number' && Number.isFinite(d)) && !is.shape.test(shape))
    throw new Error(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  check(what, 'shape', shape, is.shape);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_ELEMENTS) {
    throw new ArgumentError(what, 'shape', shape, `at most ${MAX_ELEMENTS} elements in all (it has ${n})`);
  }
}

/** opts.shape's elements are checked by checkShape, whose message names `shape`. */
const tensorOptions = {
  shape: expect<number[]>('a list of non-negative integers', Array.isArray),
  requiresGrad: is.boolean,
};

/** Accepts `f(2, 3)` and `f([2, 3])`, as PyTorch's factories do. */
export function shapeArgs(args: readonly (number | readonly number[])[], what: string): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
  checkShape(shape, what);
  return shape;
}

/** The shape of a nested array; throws on ragged nesting, naming the path. */
function nestedShape(v: NestedArray, path = 'values'): number[] {
  if (!Array.isArray(v)) {
    if (typeof v !== 'number') throw new ArgumentError('tensor', path, v, 'a number');
    return [];
  }
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0], `${path}[0]`);
  v.forEach((item, i) => {
    const s = nestedShape(item, `${path}[${i}]`);
    if (s.join() !== inner.join()) {
      throw new Error(
        `tensor: ragged nested array: ${path}[${i}] has shape ${formatShape(s)} but ${path}[0] has ${formatShape(inner)}`,
      );
    }
  });
  return [v.length, ...inner];
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), or from a flat
 * array / typed array plus `shape`. Data is copied into float32.
 *
 * @example
 * ```ts
 * import { tensor } from 'rxnn';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // d(sum x^2)/dx = 2x
 * x.grad?.toArray(); // [[2, 4], [6, 8]]
 * tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).shape; // [2, 3]
 * ```
 */
export function tensor(values: NestedArray | ArrayLike<number>, opts: TensorOptions = {}): Tensor {
  options('tensor', 'opts', opts, tensorOptions);
  let data: Float32Array;
  let shape: number[];
  const flatInput =
    ArrayBuffer.isView(values) || (Array.isArray(values) && opts.shape !== undefined && !values.some(Array.isArray));
  if (flatInput) {
    const flat = values as ArrayLike<number>;
    // A plain array is copied into float32, which would turn '1' into 1, null into 0 and undefined into NaN.
    if (Array.isArray(flat)) for (let i = 0; i < flat.length; i++) check('tensor', `values[${i}]`, flat[i], is.number);
    shape = opts.shape ? [...opts.shape] : [flat.length];
    checkShape(shape, 'tensor');
    if (sizeOf(shape) !== flat.length) {
      throw new Error(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${flat.length}`);
    }
    data = Float32Array.from(flat as ArrayLike<number>);
  } else if (typeof values === 'number' || Array.isArray(values)) {
    shape = nestedShape(values);
    data = Float32Array.from((Array.isArray(values) ? (values as unknown[]).flat(Infinity) : [values]) as number[]);
    if (opts.shape !== undefined) {
      checkShape(opts.shape, 'tensor');
      if (sizeOf(opts.shape) !== data.length) {
        throw new Error(
          `tensor: shape ${formatShape(opts.shape)} needs ${sizeOf(opts.shape)} values, got ${data.length} (nested array of shape ${formatShape(shape)})`,
        );
      }
      shape = [...opts.shape];
    }
  } else {
    throw new Error(
      `tensor: values must be a number, nested arrays or a typed array, got ${values === null ? 'null' : typeof values} ${show(values)}`,
    );
  }
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** A tensor of `shape` filled with `value`, as `torch.full`. */
export function full(shape: readonly number[], value: number, opts: { requiresGrad?: boolean } = {}): Tensor {
  checkShape(shape, 'full');
  check('full', 'value', value, is.number);
  const { requiresGrad = false } = options('full', 'opts', opts, { requiresGrad: is.boolean });
  return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape, requiresGrad);
}

/** A tensor of zeros, as `torch.zeros`: `zeros(2, 3)` or `zeros([2, 3])`. */
export function zeros(...shape: (number | readonly number[])[]): Tensor {
  return full(shapeArgs(shape, 'zeros'), 0);
}

/** A tensor of ones, as `torch.ones`: `ones(2, 3)` or `ones([2, 3])`. */
export function ones(...shape: (number | readonly number[])[]): Tensor {
  return full(shapeArgs(shape, 'ones'), 1);
}

/** arange(end), arange(start, end, step = 1): values start + i * step below end, as torch.arange. */
export function arange(start: number, end?: number, step = 1): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  check('arange', end === undefined ? 'end' : 'start', start, is.number);
  if (end !== undefined) check('arange', 'end', end, is.number);
  check('arange', 'step', step, is.number);
  if (![lo, hi, step].every(Number.isFinite))
    throw new Error(`arange: start, end and step must be finite, got ${lo}, ${hi}, ${step}`);
  if (step === 0) throw new Error('arange: step must be nonzero, got 0');
  if ((hi - lo) / step < 0)
    throw new Error(
      `arange: upper bound and larger bound inconsistent with step sign (start ${lo}, end ${hi}, step ${step})`,
    );
  const n = Math.ceil((hi - lo) / step);
  if (n > MAX_ELEMENTS)
    throw new ArgumentError('arange', 'end', hi, `at most ${MAX_ELEMENTS} steps from start (it is ${n})`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return new Tensor(data, [n]);
}
