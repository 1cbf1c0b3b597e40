import { K } from '../backend/registry';
import { fromHost, type Storage } from '../backend/storage';
import type { Tensor } from '../tensor';

/** Hyperparameters of {@link SGD}, as `torch.optim.SGD`'s keyword arguments. */
export interface SGDOptions {
  /** Learning rate (>= 0). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening for momentum: the new gradient enters the buffer times `1 - dampening` (default 0). */
  dampening?: number;
  /** L2 penalty: `weightDecay * param` is added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's update rule (the kernel's doc has
 * the formula): weight decay is added to the gradient, the momentum buffer
 * starts as the first gradient, and parameters without a gradient are skipped.
 *
 * @example
 * ```ts
 * import { nn, optim, tensor } from 'rxnn';
 * const model = new nn.Linear(2, 1);
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const loss = new nn.MSELoss().forward(model.forward(tensor([[1, 2]])), tensor([[1]]));
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * ```
 */
export class SGD {
  /** The parameters to update, in the order given. */
  readonly params: Tensor[];
  /** Learning rate; may be changed between steps (a scheduler's job). */
  lr: number;
  /** Momentum factor (0: none). */
  readonly momentum: number;
  /** Dampening for momentum. */
  readonly dampening: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Whether Nesterov momentum is used. */
  readonly nesterov: boolean;
  private readonly buffers = new Map<Tensor, Storage>();

  /**
   * As `torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)`; `params` must be leaf tensors
   * (e.g. `model.parameters()`).
   */
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

  /**
   * One update of every parameter that has a gradient, as `torch.optim.SGD.step` (PyTorch 1.13's float32 roundings):
   * `d = grad + weightDecay * p`; with momentum `buf = momentum * buf + (1 - dampening) * d` (the first `buf` is `d`),
   * then `d = nesterov ? d + momentum * buf : buf`; finally `p = p - lr * d`.
   */
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
      if (first) this.buffers.set(p, (buf = fromHost(new Float32Array(p.size))));
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
  stateDict(): {
    /** The learning rate. */
    lr: number;
    /** Each parameter's momentum buffer as plain numbers; null where no step has made one yet. */
    momentumBuffers: (number[] | null)[];
  } {
    return {
      lr: this.lr,
      momentumBuffers: this.params.map((p) => {
        const b = this.buffers.get(p);
        if (!b) return null;
        return Array.from(K.read(b)); // a read: a device backend keeps the buffers there
      }),
    };
  }

  /**
   * Restores `lr` and the momentum buffers from {@link SGD.stateDict}; throws, changing nothing, when the buffers do
   * not fit the parameters.
   */
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
      if (b) this.buffers.set(this.params[i], fromHost(Float32Array.from(b)));
    });
  }
}
