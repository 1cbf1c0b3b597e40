import { Tensor } from '../tensor';
import { Module } from './module';

/**
 * Applies its modules in order; children are named '0', '1', … as in PyTorch.
 *
 * @example
 * ```ts
 * import { nn, randn } from 'rxnn';
 * const model = new nn.Sequential(new nn.Linear(2, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 1));
 * Object.keys(model.stateDict())[0]; // '0.weight'
 * model.forward(randn(8, 2)).shape; // [8, 1]
 * ```
 */
export class Sequential extends Module {
  /** As `torch.nn.Sequential(*modules)`: registers each module as child '0', '1', …. */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} must be a Module, got ${typeof m}`);
      this.registerModule(String(i), m);
    });
  }

  /** Every registered module in order, a repeated one each time (children() lists it once), as PyTorch. */
  forward(x: Tensor): Tensor {
    return this.registeredModules().reduce((h, m) => m.forward(h), x);
  }
}
