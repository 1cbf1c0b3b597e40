import { ops, Tensor } from '../tensor';
import { BatchNorm1d } from './batch-norm';
import { Linear } from './linear';
import { Module } from './module';

/** The hidden layers' nonlinearity: a name, or any elementwise function of a tensor. */
export type Activation = 'relu' | 'sigmoid' | 'tanh' | ((x: Tensor) => Tensor);

/** Options of {@link MLP}; every field has a default. */
export interface MLPOptions {
  /** Input width (default 2). */
  inFeatures?: number;
  /** Width of each hidden layer, in order (default [4]; [] gives one Linear). */
  hidden?: number[];
  /** Output width (default 1). */
  outFeatures?: number;
  /** Bias terms in every Linear (default true). */
  bias?: boolean;
  /** Where BatchNorm goes: 'pre' = Linear → BN → activation, 'post' = Linear → activation → BN. */
  bn?: 'none' | 'pre' | 'post';
  /** Nonlinearity after each hidden layer (default 'relu'). */
  activation?: Activation;
  /** BatchNorm momentum (null: cumulative average). */
  momentum?: number | null;
}

const ACTIVATIONS = { relu: ops.relu, sigmoid: ops.sigmoid, tanh: ops.tanh };

/**
 * The lesson's net_class1 generalised to several hidden layers. Submodules are
 * created and registered in PyTorch's order — linear1, normalize1, linear2, …,
 * linear{n+1} — so a seed gives PyTorch's initial weights and state-dict keys.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, randn } from 'rxnn';
 * manualSeed(0); // the weights torch.manual_seed(0) gives
 * const model = new nn.MLP({ inFeatures: 2, hidden: [8, 8], outFeatures: 1, bn: 'pre' });
 * Object.keys(model.stateDict()); // ['linear1.weight', 'linear1.bias', 'normalize1.weight', ...]
 * model.forward(randn(16, 2)).shape; // [16, 1]
 * ```
 */
export class MLP extends Module {
  /** The options with their defaults filled in. */
  readonly options: Required<Omit<MLPOptions, 'activation'>> & {
    /** The hidden layers' nonlinearity, as given. */
    activation: Activation;
  };
  private readonly act: (x: Tensor) => Tensor;
  private readonly linears: Linear[] = [];
  private readonly norms: BatchNorm1d[] = [];

  /** Creates the layers in PyTorch's order (each Linear draws its weights from the global generator when created). */
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

  /**
   * `x` of shape [N, inFeatures] through each hidden block (Linear, then BN and activation in the `bn` order) and the
   * last Linear: [N, outFeatures].
   */
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
