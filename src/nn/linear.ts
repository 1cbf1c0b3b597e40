import { defaultGenerator } from '../random';
import { linear } from '../functional/linear';
import { Tensor } from '../tensor';
import { Module } from './module';
import { Parameter } from './parameter';
import { pyBool } from './repr';

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
}

/**
 * y = x @ weight^T + bias. Initialised as PyTorch's reset_parameters, drawing
 * from the global generator in the same order: weight [out, in] from
 * kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), then bias from
 * the same bound.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    positiveInt('inFeatures', inFeatures);
    positiveInt('outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(defaultGenerator.uniform(outFeatures * inFeatures, -bound, bound), [
      outFeatures,
      inFeatures,
    ]);
    this.bias =
      (opts.bias ?? true) ? new Parameter(defaultGenerator.uniform(outFeatures, -bound, bound), [outFeatures]) : null;
    this.registerParameter('weight');
    this.registerParameter('bias');
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
