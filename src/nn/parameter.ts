import { Tensor } from '../tensor';
import { formatTensor } from '../tensor/format';

/** A leaf tensor that a Module registers as trainable (requiresGrad on). */
export class Parameter extends Tensor {
  /** A parameter over `data` (kept, not copied) with `shape`; trainable (requiresGrad) unless told otherwise. */
  constructor(data: Float32Array, shape: readonly number[], requiresGrad = true) {
    super(data, shape, requiresGrad);
  }

  /** A trainable copy of `t`'s values and shape (as `nn.Parameter(t.clone())`). */
  static from(t: Tensor): Parameter {
    return new Parameter(t.data.slice(), t.shape);
  }

  /** PyTorch's repr: `Parameter containing:` then the tensor's. */
  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }
}
