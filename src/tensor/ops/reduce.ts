import { formatShape } from '../../backend/shape';
import { scalarStorage } from '../../backend/storage';
import { scratch } from '../lifetime';
import { isGradEnabled } from '../../autograd';
import { K } from '../../backend/registry';
import { result, Tensor } from '../tensor';
import { normalizeDims, reducedShape } from './dims';
import { div, mul, sub } from './elementwise';
import { expand, reshapeGrad } from './shape';
import { check, is } from '../../validate';

function count(shape: readonly number[], axes: readonly number[]): number {
  return axes.reduce((p, a) => p * shape[a], 1);
}

// d(sum x) = g broadcast back over the reduced axes
export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  check('sum', 'keepdim', keepdim, is.boolean);
  const axes = normalizeDims(dim, x.ndim, 'sum');
  const keep = reducedShape(x.shape, axes, true);
  return result(
    K.reduce('sum', x.storage, x.shape, axes),
    reducedShape(x.shape, axes, keepdim),
    dim === undefined ? 'SumBackward0' : 'SumBackward1',
    [x],
    (g) => [expand(reshapeGrad(g, keep), x.shape)],
    false,
  );
}

// mean x = (sum x) / n;  d = g / n broadcast back
export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  check('mean', 'keepdim', keepdim, is.boolean);
  const axes = normalizeDims(dim, x.ndim, 'mean');
  const n = count(x.shape, axes);
  const keep = reducedShape(x.shape, axes, true);
  // Divided by n as a float32 scalar, as PyTorch's sum(...).div_(n) does; as a kernel, so sums on a device stay there.
  const s = scratch(K.reduce('sum', x.storage, x.shape, axes), (sums) =>
    K.binary('div', sums, [sums.length], scalarStorage(n), [], [sums.length]),
  );
  return result(
    s,
    reducedShape(x.shape, axes, keepdim),
    dim === undefined ? 'MeanBackward0' : 'MeanBackward1',
    // PyTorch 1.13's MeanBackward1 (over dims) keeps the input for a second backward, MeanBackward0 not.
    [x],
    (g) => [expand(div(reshapeGrad(g, keep), n), x.shape)],
    dim !== undefined,
  );
}

/**
 * var x = sum((x - mean)^2) / (n - correction), correction = 1 when unbiased;
 * d = g * 2 (x - mean) / (n - correction).
 */
export function variance(x: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim = false): Tensor {
  check('var', 'keepdim', keepdim, is.boolean);
  check('var', 'unbiased', unbiased, is.boolean);
  const axes = normalizeDims(dim, x.ndim, 'var');
  const correction = unbiased ? 1 : 0;
  const n = count(x.shape, axes);
  const keep = reducedShape(x.shape, axes, true);
  return result(
    K.variance(x.storage, x.shape, axes, correction),
    reducedShape(x.shape, axes, keepdim),
    'VarBackward0',
    [x],
    (g) => {
      const centered = sub(x, mean(x, axes, true));
      return [mul(centered, div(reshapeGrad(g, keep), (n - correction) / 2))];
    },
  );
}

/** Not differentiable in rxnn: refusing is better than silently dropping a gradient. */
function selection(op: 'max' | 'argmax', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (op === 'max' && x.requiresGrad && isGradEnabled()) {
    throw new Error('max: not differentiable in rxnn; call it on x.detach() or inside noGrad');
  }
  const axes = normalizeDims(dim, x.ndim, op);
  // The largest of no values is undefined: PyTorch refuses, and so do we.
  if (x.size === 0 && dim === undefined) {
    throw new Error(
      `${op}: Expected reduction dim to be specified for input.numel() == 0 (input shape ${formatShape(x.shape)})`,
    );
  }
  const empty = axes.find((a) => x.shape[a] === 0);
  if (empty !== undefined)
    throw new Error(
      `${op}: Expected reduction dim ${empty} to have non-zero size (input shape ${formatShape(x.shape)})`,
    );
  return new Tensor(K.reduce(op, x.storage, x.shape, axes), reducedShape(x.shape, axes, keepdim));
}

export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  return selection('max', x, dim, keepdim);
}

/** Index of the largest value along `dim` (over the flattened tensor without one), as float values. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return selection('argmax', x, dim, keepdim);
}

/** The adjoint of broadcasting: sums `g` over the axes that broadcasting expanded to reach `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  return reshapeGrad(sum(g, axes, true), shape);
}
