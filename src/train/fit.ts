import { show } from '../data/check';
import type { Module } from '../nn';
import type { Tensor } from '../tensor';

/** What fit needs of a loss: `forward(yhat, y)` giving a scalar tensor. */
export interface Criterion { forward(input: Tensor, target: Tensor): Tensor }
/** What fit needs of an optimizer. */
export interface Optimizer { zeroGrad(): void; step(): void }

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
 * The lesson's training loop: per batch, forward, loss, zeroGrad, backward,
 * step, for `epochs` passes over the loader. Returns a Promise so that
 * asynchronous backends share the signature; each epoch ends with a yield to
 * the event loop so timers and servers in the same process stay responsive.
 */
export async function fit(opts: FitOptions): Promise<void> {
  const { model, criterion, optimizer, loader, epochs = 3, cla = false } = opts;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${show(epochs)}`);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y0] of loader) trainBatch(model, criterion, optimizer, x, cla ? y0.flatten() : y0);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** One step of the loop; returns the loss before the update. */
export function trainBatch(model: Module, criterion: Criterion, optimizer: Optimizer, x: Tensor, y: Tensor): Tensor {
  const loss = criterion.forward(model.forward(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return loss;
}
