import { ops, Tensor } from '../tensor';
import { BatchNorm1d } from './batch-norm';
import { Linear } from './linear';
import { Module } from './module';

export type Activation = 'relu' | 'sigmoid' | 'tanh' | ((x: Tensor) => Tensor);

export interface MLPOptions {
  inFeatures?: number;
  hidden?: number[];
  outFeatures?: number;
  bias?: boolean;
  /** Where BatchNorm goes: 'pre' = Linear → BN → activation, 'post' = Linear → activation → BN. */
  bn?: 'none' | 'pre' | 'post';
  activation?: Activation;
  /** BatchNorm momentum (null: cumulative average). */
  momentum?: number | null;
}

const ACTIVATIONS = { relu: ops.relu, sigmoid: ops.sigmoid, tanh: ops.tanh };

/**
 * The lesson's net_class1 generalised to several hidden layers. Submodules are
 * created and registered in PyTorch's order — linear1, normalize1, linear2, …,
 * linear{n+1} — so a seed gives PyTorch's initial weights and state-dict keys.
 */
export class MLP extends Module {
  readonly options: Required<Omit<MLPOptions, 'activation'>> & { activation: Activation };
  private readonly act: (x: Tensor) => Tensor;
  private readonly linears: Linear[] = [];
  private readonly norms: BatchNorm1d[] = [];

  constructor(opts: MLPOptions = {}) {
    super();
    const {
      inFeatures = 2,
      hidden = [4],
      outFeatures = 1,
      bias = true,
      bn = 'none',
      activation = 'relu',
      momentum = 0.1,
    } = opts;
    if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h <= 0)) {
      throw new Error(`MLP: hidden must be a list of positive integers, got ${JSON.stringify(hidden)}`);
    }
    if (!['none', 'pre', 'post'].includes(bn))
      throw new Error(`MLP: bn must be 'none', 'pre' or 'post', got ${JSON.stringify(bn)}`);
    if (typeof activation !== 'function' && !(activation in ACTIVATIONS)) {
      throw new Error(
        `MLP: activation must be 'relu', 'sigmoid', 'tanh' or a function, got ${JSON.stringify(activation)}`,
      );
    }
    this.options = { inFeatures, hidden: [...hidden], outFeatures, bias, bn, activation, momentum };
    this.act = typeof activation === 'function' ? activation : ACTIVATIONS[activation];
    const sizes = [inFeatures, ...hidden];
    hidden.forEach((h, i) => {
      this.linears.push(this.registerModule(`linear${i + 1}`, new Linear(sizes[i], h, { bias })));
      if (bn !== 'none') this.norms.push(this.registerModule(`normalize${i + 1}`, new BatchNorm1d(h, { momentum })));
    });
    this.linears.push(
      this.registerModule(`linear${hidden.length + 1}`, new Linear(sizes[sizes.length - 1], outFeatures, { bias })),
    );
  }

  forward(x: Tensor): Tensor {
    const { bn } = this.options;
    for (let i = 0; i < this.norms.length || i < this.linears.length - 1; i++) {
      let z = this.linears[i].forward(x);
      if (bn === 'pre') z = this.norms[i].forward(z);
      x = this.act(z);
      if (bn === 'post') x = this.norms[i].forward(x);
    }
    return this.linears[this.linears.length - 1].forward(x);
  }
}
