import { show } from '../data/check';
import type { Module } from '../nn';
import type { Tensor } from '../tensor';
import { TrainingStep, type Criterion, type Optimizer } from './step';

export type { Criterion, Optimizer } from './step';

export interface FitOptions {
  model: Module;
  criterion: Criterion;
  optimizer: Optimizer;
  loader: Iterable<Tensor[]>;
  epochs?: number;
  /** Classification: targets are flattened to class indices, as the lesson's `y.flatten().long()`. */
  cla?: boolean;
}

/**
 * The lesson's training loop: per batch, one TrainingStep (forward, loss, zeroGrad, backward,
 * step), for `epochs` passes over the loader. Returns a Promise so that asynchronous backends
 * share the signature; each epoch ends with a yield to the event loop so timers and servers in
 * the same process stay responsive. The loss is never read, so a device backend reads nothing back.
 *
 * @example
 * await fit({ model, criterion: new nn.MSELoss(), optimizer, loader, epochs: 20 });
 */
export async function fit(opts: FitOptions): Promise<void> {
  const { model, criterion, optimizer, loader, epochs = 3, cla = false } = opts;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new Error(`fit: epochs must be a non-negative integer, got ${show(epochs)}`);
  const step = new TrainingStep(model, criterion, optimizer, { cla });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) step.run(x, y);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * One step of the loop; returns the loss before the update (its graph freed, as after any backward).
 * As in `fit`, the step's activations go back to the backend once it is done (src/tensor/lifetime.ts).
 *
 * @example
 * const loss = trainBatch(model, new nn.MSELoss(), optimizer, x, y);
 */
export function trainBatch(model: Module, criterion: Criterion, optimizer: Optimizer, x: Tensor, y: Tensor): Tensor {
  return new TrainingStep(model, criterion, optimizer).run(x, y).loss;
}
