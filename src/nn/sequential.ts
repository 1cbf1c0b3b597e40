import { Tensor } from '../tensor';
import { Module } from './module';

/** Applies its modules in order; children are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
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
