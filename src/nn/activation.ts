import { ops, Tensor } from '../tensor';
import { Module } from './module';

/** Elementwise `max(x, 0)`, as `torch.nn.ReLU`. */
export class ReLU extends Module {
  /** `max(x, 0)` of every element; same shape as `x`. */
  forward(x: Tensor): Tensor {
    return ops.relu(x);
  }
}

/** Elementwise `1 / (1 + exp(-x))`, as `torch.nn.Sigmoid`. */
export class Sigmoid extends Module {
  /** `1 / (1 + exp(-x))` of every element; same shape as `x`. */
  forward(x: Tensor): Tensor {
    return ops.sigmoid(x);
  }
}

/** Elementwise hyperbolic tangent, as `torch.nn.Tanh`. */
export class Tanh extends Module {
  /** `tanh(x)` of every element; same shape as `x`. */
  forward(x: Tensor): Tensor {
    return ops.tanh(x);
  }
}
