import { K } from '../backend/registry';
import type { GradFn } from '../autograd';
import {
  BatchNorm1d,
  BatchNorm2d,
  CrossEntropyLoss,
  Linear,
  MLP,
  MSELoss,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from '../nn';
import { SGD } from '../optim';
import type { Tensor } from '../tensor';

/**
 * Buffer reuse across training steps: once a step's backward has run (which frees the
 * graph, as in PyTorch) and the optimizer has stepped, the activations the forward pass
 * made are dead, unless something kept a reference to them. rxnn's own modules, losses
 * and SGD keep none, so when a step uses only those, their arrays go back to the backend
 * (K.release) and the next step of the same shapes reuses them: no allocation in the
 * steady state. A custom module, criterion or optimizer might keep one (a module that
 * stores its last input, say), so with any of those nothing is released.
 */
const KEEPS_NO_TENSORS = new Set<unknown>([Linear, BatchNorm1d, BatchNorm2d, ReLU, Sigmoid, Tanh, Sequential, MLP]);

/**
 * Whether every part of a step is one of rxnn's own classes, exactly (a subclass may keep
 * tensors) and unpatched (an instance's own `forward`, as a stand-in for a hook, may too).
 */
export function recyclable(model: Module, criterion: unknown, optimizer: unknown): boolean {
  const c = (criterion as object | null)?.constructor,
    o = (optimizer as object | null)?.constructor;
  if ((c !== MSELoss && c !== CrossEntropyLoss) || o !== SGD || ownForward(criterion)) return false;
  return model
    .modules()
    .every(
      (m) =>
        KEEPS_NO_TENSORS.has(m.constructor) &&
        !ownForward(m) &&
        !(m instanceof MLP && typeof m.options.activation === 'function'),
    );
}

const ownForward = (o: unknown) => Object.prototype.hasOwnProperty.call(o, 'forward');

/**
 * The data arrays of the op outputs in `loss`'s graph, collected before backward:
 * every input of a node that was itself made by an op. The step's `batch` (its inputs
 * and targets) count as leaves even when an op made them: the caller holds them, and
 * the graph above them is not the step's. Arrays shared with a leaf (a view of the input
 * batch, say) are left out, and so is the loss's own. Plain arrays, not Sets: a step's
 * graph has tens of nodes, and this runs every step.
 */
export function stepIntermediates(loss: Tensor, batch: readonly Tensor[]): Float32Array[] {
  const root = loss.gradFn;
  if (!root) return [];
  const made: Float32Array[] = [],
    leaves: Float32Array[] = [loss.storage, ...batch.map((t) => t.storage)];
  const stack: GradFn<Tensor>[] = [root],
    seen: GradFn<Tensor>[] = [root];
  while (stack.length) {
    const inputs = (stack.pop() as GradFn<Tensor>).inputs;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i] as Tensor | null;
      if (!t) continue;
      const fn = t.gradFn;
      if (!fn || batch.includes(t)) {
        leaves.push(t.storage);
      } else {
        if (!made.includes(t.storage)) made.push(t.storage);
        if (!seen.includes(fn)) {
          seen.push(fn);
          stack.push(fn);
        }
      }
    }
  }
  return made.filter((d) => !leaves.includes(d));
}

/**
 * One training loop's recycling: decided and prepared once (the loop's model, criterion
 * and optimizer do not change while it runs), then per step `collect` before backward and
 * `release` after the optimizer's step.
 */
export class StepRecycler {
  readonly enabled: boolean;
  private readonly params: Tensor[];
  private readonly held = new Set<Float32Array>();

  constructor(model: Module, criterion: unknown, optimizer: unknown) {
    this.enabled = recyclable(model, criterion, optimizer);
    this.params = this.enabled ? model.parameters() : [];
    // Parameters are updated in place and buffers (running statistics) too: their arrays stay.
    if (this.enabled)
      for (const v of Object.values(model.stateDict())) if (typeof v !== 'number') this.held.add(v.storage);
  }

  /** Before backward: the arrays `loss`'s graph made from the step's `inputs` (batch and targets). */
  collect(loss: Tensor, inputs: readonly Tensor[]): Float32Array[] {
    return this.enabled ? stepIntermediates(loss, inputs) : [];
  }

  /** Hands `arrays` back to the backend, except any a gradient now holds (of a parameter, or of x or y). */
  release(arrays: readonly Float32Array[], x: Tensor, y: Tensor): void {
    for (let i = 0; i < arrays.length; i++) {
      const d = arrays[i];
      if (this.held.has(d) || x.grad?.storage === d || y.grad?.storage === d) continue;
      let isGrad = false;
      for (let j = 0; j < this.params.length && !isGrad; j++) isGrad = this.params[j].grad?.storage === d;
      if (!isGrad) K.release(d);
    }
  }
}
