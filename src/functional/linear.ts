import { K } from '../backend/registry';
import { ownedGrad, result, type Tensor } from '../tensor';
import { formatShape } from '../backend/shape';

const SUM_ROWS = [0];

/**
 * y = x @ weight^T + bias, for x of shape [N, in] (or [in]) and weight [out, in].
 * One fused node, PyTorch's addmm:
 *   dx = g @ weight;  dweight = g^T @ x;  dbias = sum of g over rows.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[1], outF = weight.shape[0];
  if (weight.ndim !== 2 || (input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== inF) {
    const rows = input.ndim === 2 ? input.shape[0] : 1;
    throw new Error(`linear: input shape ${formatShape(input.shape)} does not fit weight shape ${formatShape(weight.shape)}: `
      + `mat1 and mat2 shapes cannot be multiplied (${rows}x${input.shape[input.ndim - 1]} and ${inF}x${outF})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias shape ${formatShape(bias.shape)} does not match ${outF} output features`);
  }
  const n = input.ndim === 2 ? input.shape[0] : 1;
  const shape = input.ndim === 2 ? [n, outF] : [outF];
  // addmm: the bias is added to the float32 product inside the matmul kernel, in its output buffer.
  const y = K.matmul(input.data, weight.data, n, inF, outF, false, true, bias ? bias.data : null);
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return result(y, shape, bias ? 'AddmmBackward0' : 'MmBackward0', inputs, (g) => [
    input.requiresGrad ? ownedGrad(K.matmul(g.data, weight.data, n, outF, inF, false, false), input.shape) : null,
    weight.requiresGrad ? ownedGrad(K.matmul(g.data, input.data, outF, n, inF, true, false), weight.shape) : null,
    bias?.requiresGrad ? ownedGrad(K.reduce('sum', g.data, [n, outF], SUM_ROWS), bias.shape) : null,
  ]);
}
