import { crossEntropy, mseLoss } from '../functional/loss';
import { Tensor } from '../tensor';
import { Module } from './module';

/** Mean squared error: mean((input - target)^2). */
export class MSELoss extends Module {
  /** `mean((input - target)^2)` over all elements, a 0-d tensor; the shapes must match. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target);
  }
}

/** Softmax cross-entropy for logits [N, C] and class indices [N] or [N, 1] (float or integer values). */
export class CrossEntropyLoss extends Module {
  /** `-mean_i logSoftmax(input)[i, target_i]` for logits [N, C] and class indices [N] (or [N, 1]); a 0-d tensor. */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target);
  }
}
