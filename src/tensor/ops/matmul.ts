import { K } from '../../backend/registry';
import { isTensor, ownedGrad, result, Tensor } from '../tensor';
import { formatShape } from '../../backend/shape';
import { check, is } from '../../validate';

/**
 * Matrix product of 2-D tensors (a 1-D operand is a row or column vector and
 * its axis is dropped from the result, as torch.matmul).
 * out = a @ b;  da = g @ b^T;  db = a^T @ g
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!isTensor(a)) check('matmul', 'input', a, is.instance(Tensor, 'a Tensor'));
  if (!isTensor(b)) check('matmul', 'other', b, is.instance(Tensor, 'a Tensor'));
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new Error(
      `matmul: expected 1-D or 2-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const m = a.ndim === 2 ? a.shape[0] : 1,
    k = a.shape[a.ndim - 1];
  const kb = b.shape[0],
    n = b.ndim === 2 ? b.shape[1] : 1;
  if (k !== kb) {
    throw new Error(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${m}x${k} and ${kb}x${n})`,
    );
  }
  const shape = [...(a.ndim === 2 ? [m] : []), ...(b.ndim === 2 ? [n] : [])];
  // PyTorch 1.13's node for each rank pair (1-D @ 2-D runs as unsqueeze, mm, squeeze).
  const name =
    a.ndim === 2 ? (b.ndim === 2 ? 'MmBackward0' : 'MvBackward0') : b.ndim === 2 ? 'SqueezeBackward3' : 'DotBackward0';
  return result(K.matmul(a.storage, b.storage, m, k, n, false, false), shape, name, [a, b], (g) => [
    a.requiresGrad ? ownedGrad(K.matmul(g.storage, b.storage, m, n, k, false, true), a.shape) : null,
    b.requiresGrad ? ownedGrad(K.matmul(a.storage, g.storage, k, m, n, true, false), b.shape) : null,
  ]);
}
