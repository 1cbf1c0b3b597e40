import { defaultGenerator, Generator } from '../random';
import { sizeOf } from '../backend/shape';
import { shapeArgs } from './creation';
import { Tensor } from './tensor';

/** Trailing options of every random factory: a private stream instead of the global one. */
export interface RandomOptions {
  /** The stream to draw from; the global {@link defaultGenerator} (seeded by {@link manualSeed}) when omitted. */
  generator?: Generator;
}

type ShapeOrOpts = number | readonly number[] | RandomOptions;

function split(args: readonly ShapeOrOpts[], what: string): [number[], Generator] {
  const last = args[args.length - 1];
  const hasOpts = typeof last === 'object' && last !== null && !Array.isArray(last) && !ArrayBuffer.isView(last);
  const opts = (hasOpts ? last : {}) as RandomOptions;
  const shape = shapeArgs((hasOpts ? args.slice(0, -1) : args) as (number | number[])[], what);
  if (opts.generator !== undefined && !(opts.generator instanceof Generator)) {
    throw new Error(`${what}: generator must be a Generator, got ${typeof opts.generator}`);
  }
  return [shape, opts.generator ?? defaultGenerator];
}

/** Standard normal values, drawn exactly as torch.randn on the CPU: `randn(1000, 2)` or `randn([1000, 2])`. */
export function randn(...args: ShapeOrOpts[]): Tensor {
  const [shape, gen] = split(args, 'randn');
  return new Tensor(gen.normal(sizeOf(shape)), shape);
}

/** Uniform values in [0, 1), as torch.rand. */
export function rand(...args: ShapeOrOpts[]): Tensor {
  const [shape, gen] = split(args, 'rand');
  return new Tensor(gen.uniform(sizeOf(shape)), shape);
}

/** Uniform values in [low, high), as `torch.empty(shape).uniform_(low, high)`. */
export function uniform(shape: readonly number[], low = 0, high = 1, opts: RandomOptions = {}): Tensor {
  const [s, gen] = split([shape, opts], 'uniform');
  return new Tensor(gen.uniform(sizeOf(s), low, high), s);
}

/** Normal values N(mean, std^2), as torch.normal(mean, std, size). */
export function normal(mean: number, std: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!(std >= 0)) throw new Error(`normal: std must be >= 0, got ${std}`);
  const [s, gen] = split([shape, opts], 'normal');
  return new Tensor(gen.normal(sizeOf(s), mean, std), s);
}

/** A random permutation of 0..n-1, as torch.randperm(n).tolist(). */
export function randperm(n: number, opts: RandomOptions = {}): number[] {
  return (opts.generator ?? defaultGenerator).randperm(n);
}
