import { noGrad } from '../../autograd';
import { Tensor } from '../tensor';
import { normalizeDim } from './dims';
import { exp, log, sub } from './elementwise';
import { max, sum } from './reduce';

/** The row max, a constant: subtracting it changes neither value nor gradient, only overflow. */
function shift(x: Tensor, d: number): Tensor {
  return sub(
    x,
    noGrad(() => max(x.detach(), d, true)),
  );
}

// logSoftmax x = (x - m) - log(sum(exp(x - m)))
/**
 * As `torch.nn.functional.log_softmax`: `(x - m) - log(sum(exp(x - m)))` along `dim`, `m` the max along `dim` (for
 * overflow only).
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'logSoftmax');
  const z = shift(x, d);
  const out = sub(z, log(sum(exp(z), d, true)));
  if (out.gradFn) out.gradFn.name = 'LogSoftmaxBackward0';
  return out;
}

// softmax x = exp(x - m) / sum(exp(x - m))
/**
 * As `torch.nn.functional.softmax`: `exp(x - m) / sum(exp(x - m))` along `dim`, `m` the max along `dim` (for overflow
 * only).
 */
export function softmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'softmax');
  const e = exp(shift(x, d));
  const out = e.div(sum(e, d, true));
  if (out.gradFn) out.gradFn.name = 'SoftmaxBackward0';
  return out;
}
