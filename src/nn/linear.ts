import { defaultGenerator } from '../random';
import { linear } from '../functional/linear';
import { Tensor } from '../tensor';
import { Module } from './module';
import { Parameter } from './parameter';
import { pyBool } from './repr';
import { ArgumentError, check, is, options } from '../validate';

/**
 * y = x @ weight^T + bias. Initialised as PyTorch's reset_parameters, drawing
 * from the global generator in the same order: weight [out, in] from
 * kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), then bias from
 * the same bound.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, tensor } from 'rxnn';
 * manualSeed(24);
 * const fc = new nn.Linear(2, 1);
 * fc.weight.toArray(); // [[0.37395936250686646, -0.1767009049654007]], as torch.manual_seed(24); nn.Linear(2, 1)
 * fc.forward(tensor([[1, 2]])).shape; // [1, 1]
 * ```
 */
export class Linear extends Module {
  /** Input width: the size of the input's last dimension. */
  readonly inFeatures: number;
  /** Output width. */
  readonly outFeatures: number;
  /** The weight, [outFeatures, inFeatures]. */
  weight: Parameter;
  /** The bias, [outFeatures]; null with `{ bias: false }`. */
  bias: Parameter | null;

  /** As `torch.nn.Linear(inFeatures, outFeatures, bias=True)`: draws weight, then bias, from the global generator. */
  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    check('Linear', 'inFeatures', inFeatures, is.positiveInt);
    check('Linear', 'outFeatures', outFeatures, is.positiveInt);
    const { bias = true } = options('Linear', 'opts', opts, { bias: is.boolean });
    if (inFeatures * outFeatures > 2 ** 32) {
      const what = `at most ${2 ** 32} weights in all (outFeatures ${outFeatures} x inFeatures ${inFeatures})`;
      throw new ArgumentError('Linear', 'inFeatures', inFeatures, what);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(defaultGenerator.uniform(outFeatures * inFeatures, -bound, bound), [
      outFeatures,
      inFeatures,
    ]);
    this.bias = bias ? new Parameter(defaultGenerator.uniform(outFeatures, -bound, bound), [outFeatures]) : null;
    this.registerParameter('weight');
    this.registerParameter('bias');
  }

  /** `x @ weight^T + bias` for `x` of shape [..., inFeatures]; returns [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ArgumentError('Linear.forward', 'input', x, 'a Tensor');
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
