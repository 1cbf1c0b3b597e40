import { K } from '../backend/registry';
import type { Tensor } from '../tensor';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's update rule (the kernel's doc has
 * the formula): weight decay is added to the gradient, the momentum buffer
 * starts as the first gradient, and parameters without a gradient are skipped.
 */
export class SGD {
  readonly params: Tensor[];
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers = new Map<Tensor, Float32Array>();

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = opts ?? ({} as SGDOptions);
    const list = [...params];
    if (list.length === 0) throw new Error('SGD: optimizer got an empty parameter list');
    list.forEach((p, i) => {
      if (!p.isLeaf)
        throw new Error(
          `SGD: can't optimize a non-leaf Tensor (parameter ${i}, made by ${p.gradFn!.name}); pass the leaf, e.g. detach().requiresGrad_()`,
        );
    });
    if (typeof lr !== 'number' || !(lr >= 0))
      throw new Error(`SGD: Invalid learning rate: ${lr} (expected a number >= 0)`);
    if (!(momentum >= 0)) throw new Error(`SGD: Invalid momentum value: ${momentum} (expected >= 0)`);
    if (!(weightDecay >= 0)) throw new Error(`SGD: Invalid weight_decay value: ${weightDecay} (expected >= 0)`);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    this.params = list;
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  /**
   * Zeroes every parameter's gradient in place, as PyTorch 1.13's zero_grad(): a parameter
   * that then gets no gradient from backward still moves by momentum and weight decay.
   * `{ setToNone: true }` drops the gradients instead (PyTorch 2's default): step() then skips
   * such a parameter.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.params) {
      const g = p.grad;
      if (!g) continue;
      if (opts.setToNone) {
        p.grad = null;
      } else {
        g.gradFn = null;
        g.requiresGrad = false;
        K.fill(g.storage, 0);
      }
    }
  }

  step(): void {
    // Every gradient is checked before any parameter moves.
    this.params.forEach((p, i) => {
      if (p.grad && p.grad.size !== p.size) {
        throw new Error(`SGD.step: parameter ${i} has ${p.size} values but its grad has ${p.grad.size}`);
      }
    });
    for (const p of this.params) {
      if (!p.grad) continue;
      let buf = this.buffers.get(p) ?? null;
      const first = this.momentum !== 0 && !buf;
      if (first) this.buffers.set(p, (buf = new Float32Array(p.size)));
      K.sgdUpdate(p.storage, p.grad.storage, buf, {
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        weightDecay: this.weightDecay,
        nesterov: this.nesterov,
        first,
      });
    }
  }

  /** Momentum buffers in parameter order (null where none yet), JSON-serialisable for checkpoints. */
  stateDict(): { lr: number; momentumBuffers: (number[] | null)[] } {
    return {
      lr: this.lr,
      momentumBuffers: this.params.map((p) => {
        const b = this.buffers.get(p);
        if (!b) return null;
        K.sync(b); // a device backend keeps the buffers there
        return Array.from(b);
      }),
    };
  }

  loadStateDict(sd: { lr: number; momentumBuffers: (number[] | null)[] }): void {
    if (!sd || !Array.isArray(sd.momentumBuffers) || sd.momentumBuffers.length !== this.params.length) {
      throw new Error(
        `SGD.loadStateDict: expected momentumBuffers for ${this.params.length} parameters, got ${JSON.stringify(sd?.momentumBuffers?.length)}`,
      );
    }
    sd.momentumBuffers.forEach((b, i) => {
      if (b && b.length !== this.params[i].size)
        throw new Error(`SGD.loadStateDict: buffer ${i} has ${b.length} values, parameter has ${this.params[i].size}`);
    });
    this.lr = sd.lr;
    this.buffers.clear();
    sd.momentumBuffers.forEach((b, i) => {
      if (b) this.buffers.set(this.params[i], Float32Array.from(b));
    });
  }
}
