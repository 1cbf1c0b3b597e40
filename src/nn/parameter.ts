import { Tensor } from '../tensor';
import { formatTensor } from '../tensor/format';

/** A leaf tensor that a Module registers as trainable (requiresGrad on). */
export class Parameter extends Tensor {
  constructor(data: Float32Array, shape: readonly number[], requiresGrad = true) {
    super(data, shape, requiresGrad);
  }

  static from(t: Tensor): Parameter {
    return new Parameter(t.data.slice(), t.shape);
  }

  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }
}
