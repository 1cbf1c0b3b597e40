import { formatShape, sizeOf } from '../backend/shape';
import { Tensor } from './tensor';

export type NestedArray = number | NestedArray[];
export interface TensorOptions {
  shape?: readonly number[];
  requiresGrad?: boolean;
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** Accepts `f(2, 3)` and `f([2, 3])`, as PyTorch's factories do. */
export function shapeArgs(args: readonly (number | readonly number[])[], what: string): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
  checkShape(shape, what);
  return shape;
}

/** The shape of a nested array; throws on ragged nesting, naming the path. */
function nestedShape(v: NestedArray, path = 'values'): number[] {
  if (!Array.isArray(v)) {
    if (typeof v !== 'number') throw new Error(`tensor: ${path} must be a number, got ${JSON.stringify(v)}`);
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
 */
export function tensor(values: NestedArray | ArrayLike<number>, opts: TensorOptions = {}): Tensor {
  let data: Float32Array;
  let shape: number[];
  const flatInput =
    ArrayBuffer.isView(values) || (Array.isArray(values) && opts.shape !== undefined && !values.some(Array.isArray));
  if (flatInput) {
    const flat = values as ArrayLike<number>;
    shape = opts.shape ? [...opts.shape] : [flat.length];
    checkShape(shape, 'tensor');
    if (sizeOf(shape) !== flat.length) {
      throw new Error(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${flat.length}`);
    }
    data = Float32Array.from(flat as ArrayLike<number>);
  } else if (typeof values === 'number' || Array.isArray(values)) {
    shape = nestedShape(values as NestedArray);
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
    throw new Error(`tensor: values must be a number, nested arrays or a typed array, got ${typeof values}`);
  }
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: { requiresGrad?: boolean } = {}): Tensor {
  checkShape(shape, 'full');
  return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape, opts.requiresGrad ?? false);
}

export function zeros(...shape: (number | readonly number[])[]): Tensor {
  return full(shapeArgs(shape, 'zeros'), 0);
}

export function ones(...shape: (number | readonly number[])[]): Tensor {
  return full(shapeArgs(shape, 'ones'), 1);
}

/** arange(end), arange(start, end, step = 1): values start + i * step below end, as torch.arange. */
export function arange(start: number, end?: number, step = 1): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (![lo, hi, step].every(Number.isFinite))
    throw new Error(`arange: start, end and step must be finite, got ${lo}, ${hi}, ${step}`);
  if (step === 0) throw new Error('arange: step must be nonzero, got 0');
  if ((hi - lo) / step < 0)
    throw new Error(
      `arange: upper bound and larger bound inconsistent with step sign (start ${lo}, end ${hi}, step ${step})`,
    );
  const n = Math.ceil((hi - lo) / step);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return new Tensor(data, [n]);
}
