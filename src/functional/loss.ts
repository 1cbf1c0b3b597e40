import { K } from '../backend/registry';
import { scalarStorage } from '../backend/storage';
import { ops, ownedGrad, result, scratch, Tensor } from '../tensor';
import { formatShape } from '../backend/shape';

const SCALAR: readonly number[] = [];

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * loss = mean((input - target)^2), as diff = input - target (a sub node, whose backward sends
 * the gradient to input and its negation to target) and one node for the squared mean, whose
 * backward is d diff = g * 2 diff / n. Shapes must match: PyTorch only warns and broadcasts
 * [N, 1] against [N] into an [N, N] loss, which is never what the lesson means.
 */
export function mseLoss(input: Tensor, target: Tensor): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `mseLoss: input shape ${formatShape(input.shape)} and target shape ${formatShape(target.shape)} must match`,
    );
  }
  const n = input.size;
  const diff = ops.sub(input, target);
  const d = diff.storage,
    shape = diff.shape;
  // The sum of squares over n as a float32 scalar (PyTorch's mean reduction), as kernels: a sum on a device stays there.
  const loss = scratch(K.binary('mul', d, shape, d, shape, shape), (sq) =>
    scratch(K.reduce('sum', sq, [n], [0]), (sum) => K.binary('div', sum, SCALAR, scalarStorage(n), SCALAR, SCALAR)),
  );
  return result(loss, [], 'MseLossBackward0', [diff], (g) => [
    ownedGrad(K.binary('mul', d, shape, scalarStorage((2 * g.data[0]) / n), SCALAR, shape), shape),
  ]);
}

/** Class indices from a [N] or [N, 1] tensor of integer values in [0, classes). */
export function classIndices(target: Tensor, n: number, classes: number, what: string): number[] {
  if (!(target.ndim === 1 || (target.ndim === 2 && target.shape[1] === 1)) || target.shape[0] !== n) {
    throw new Error(
      `${what}: target must have shape [${n}] or [${n}, 1] (class indices), got ${formatShape(target.shape)}`,
    );
  }
  return Array.from(target.data, (v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`${what}: target[${i}] = ${v} is not a class index in [0, ${classes - 1}]`);
    }
    return v;
  });
}

/** loss = -mean_i logSoftmax(input)[i, target_i], for input [N, C] and class indices. */
export function crossEntropy(input: Tensor, target: Tensor): Tensor {
  if (input.ndim !== 2) throw new Error(`crossEntropy: input must have shape [N, C], got ${formatShape(input.shape)}`);
  const [n, c] = input.shape;
  const idx = classIndices(target, n, c, 'crossEntropy');
  const flat = ops.reshape(ops.logSoftmax(input, 1), [n * c]);
  const picked = ops.sum(
    ops.indexSelect(
      flat,
      idx.map((k, i) => i * c + k),
    ),
  );
  const loss = ops.div(ops.neg(picked), n);
  if (loss.gradFn) loss.gradFn.name = 'NllLossBackward0';
  return loss;
}
