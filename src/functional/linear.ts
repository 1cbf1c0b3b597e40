import { K } from '../backend/registry';
import { ops, ownedGrad, result, type Tensor } from '../tensor';

const { reshape } = ops;
import { formatShape } from '../backend/shape';

const SUM_ROWS = [0];

/**
 * y = x @ weight^T + bias, for x of shape [*, in] and weight [out, in], giving [*, out].
 * One fused node over rows, PyTorch's addmm:
 *   dx = g @ weight;  dweight = g^T @ x;  dbias = sum of g over rows.
 * Inputs of 3 or more dims run as [rows, in] and are viewed back, as PyTorch does.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2)
    throw new Error(`linear: weight must be 2-D [out, in], got shape ${formatShape(weight.shape)}`);
  const inF = weight.shape[1],
    outF = weight.shape[0];
  if (input.ndim === 0) {
    throw new Error(
      `linear: both arguments to matmul need to be at least 1D, but they are 0D and 2D (weight shape ${formatShape(weight.shape)})`,
    );
  }
  if (input.shape[input.ndim - 1] !== inF) {
    const rows = input.shape.slice(0, -1).reduce((a, d) => a * d, 1);
    throw new Error(
      `linear: input shape ${formatShape(input.shape)} does not fit weight shape ${formatShape(weight.shape)}: ` +
        `mat1 and mat2 shapes cannot be multiplied (${rows}x${input.shape[input.ndim - 1]} and ${inF}x${outF})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias shape ${formatShape(bias.shape)} does not match ${outF} output features`);
  }
  if (input.ndim > 2) {
    const lead = input.shape.slice(0, -1);
    const rows = linear(reshape(input, [-1, inF]), weight, bias);
    return reshape(rows, [...lead, outF], bias ? 'ViewBackward0' : 'UnsafeViewBackward0');
  }
  const n = input.ndim === 2 ? input.shape[0] : 1;
  const shape = input.ndim === 2 ? [n, outF] : [outF];
  // addmm: the bias is added to the float32 product inside the matmul kernel, in its output buffer.
  const y = K.matmul(input.storage, weight.storage, n, inF, outF, false, true, bias ? bias.storage : null);
  const inputs = bias ? [input, weight, bias] : [input, weight];
  // PyTorch's node names: addmm / mm for a batch; for one vector, matmul then add (or a squeeze).
  const name =
    input.ndim === 2 ? (bias ? 'AddmmBackward0' : 'MmBackward0') : bias ? 'AddBackward0' : 'SqueezeBackward3';
  return result(y, shape, name, inputs, (g) => [
    input.requiresGrad ? ownedGrad(K.matmul(g.storage, weight.storage, n, outF, inF, false, false), input.shape) : null,
    weight.requiresGrad ? ownedGrad(K.matmul(g.storage, input.storage, outF, n, inF, true, false), weight.shape) : null,
    bias?.requiresGrad ? ownedGrad(K.reduce('sum', g.storage, [n, outF], SUM_ROWS), bias.shape) : null,
  ]);
}
