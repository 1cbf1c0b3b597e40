import { show } from '../data/check';
import type { Module } from '../nn';
import type { Tensor } from '../tensor';
import { StepRecycler } from './recycle';

/** What fit needs of a loss: `forward(yhat, y)` giving a scalar tensor. */
export interface Criterion {
  forward(input: Tensor, target: Tensor): Tensor;
}
/** What fit needs of an optimizer. */
export interface Optimizer {
  zeroGrad(): void;
  step(): void;
}

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
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new Error(`fit: epochs must be a non-negative integer, got ${show(epochs)}`);
  const recycler = new StepRecycler(model, criterion, optimizer);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y0] of loader) step(recycler, model, criterion, optimizer, x, cla ? y0.flatten() : y0);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** One step of the loop; returns the loss before the update (its graph freed, as after any backward). */
export function trainBatch(model: Module, criterion: Criterion, optimizer: Optimizer, x: Tensor, y: Tensor): Tensor {
  return step(NO_RECYCLING, model, criterion, optimizer, x, y);
}

const NO_RECYCLING = { collect: () => [] as Float32Array[], release: () => undefined };

/**
 * A step of a loop that owns its steps (fit; rx's trainStep does the same): with rxnn's own
 * modules, loss and SGD, the step's activations go back to the backend for the next step
 * (src/train/recycle.ts). A lone trainBatch cannot know who else holds them, so it does not.
 */
export function step(
  recycler: Pick<StepRecycler, 'collect' | 'release'>,
  model: Module,
  criterion: Criterion,
  optimizer: Optimizer,
  x: Tensor,
  y: Tensor,
): Tensor {
  const loss = criterion.forward(model.forward(x), y);
  const dead = recycler.collect(loss, [x, y]);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  recycler.release(dead, x, y);
  return loss;
}
