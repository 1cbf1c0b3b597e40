import { crossEntropy, mseLoss } from '../functional/loss';
import { Tensor } from '../tensor';
import { Module } from './module';

/** Mean squared error: mean((input - target)^2). */
export class MSELoss extends Module {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target);
  }
}

/** Softmax cross-entropy for logits [N, C] and class indices [N] or [N, 1] (float or integer values). */
export class CrossEntropyLoss extends Module {
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target);
  }
}
