import { BatchNorm, type Module } from '../nn';
import type { SavedRunningStats } from '../nn/batch-norm';
import type { Tensor } from '../tensor';
import { StepRecycler } from './recycle';

/** What a training step needs of a loss: `forward(yhat, y)` giving a one-element tensor (nn.MSELoss, nn.CrossEntropyLoss). */
export interface Criterion {
  /** The loss of predictions `yhat` against targets `y`: a one-element tensor to call backward on. */
  forward(yhat: Tensor, y: Tensor): Tensor;
}

/** What a training step needs of an optimizer (optim.SGD, or your own). */
export interface Optimizer {
  /** Clears the parameters' gradients (called after the loss, before backward). */
  zeroGrad(): void;
  /** Moves the parameters along their gradients (called after backward). */
  step(): void;
  /** Optional: the optimizer's own state (e.g. momentum buffers), JSON-serialisable; `rxnn run` checkpoints keep it. */
  stateDict?(): unknown;
  /** Optional: restores what {@link Optimizer.stateDict} returned. */
  loadStateDict?(state: unknown): void;
}

/** The loss was NaN or infinite: the step stopped before backward, so the weights did not move. */
export class NonFiniteLossError extends Error {
  constructor(readonly loss: number) {
    super(`loss is ${loss}; stopped before the update, the weights are unchanged`);
    this.name = 'NonFiniteLossError';
  }
}

/** How a TrainingStep runs: guarded or not, recycling or not, classification targets or not. */
export interface TrainingStepOptions {
  /**
   * All or nothing (default false): the loss is read (one readback on a device backend) and a NaN or
   * infinite one throws NonFiniteLossError before backward; and whatever throws (forward, the loss,
   * backward, the optimizer), every BatchNorm's running statistics go back to where the step found
   * them (gradients zeroed by then stay zeroed).
   */
  guard?: boolean;
  /**
   * Hand the step's intermediate arrays back to the backend after the update (default true), for
   * the next step to reuse (src/train/recycle.ts). Only for a loop that owns its steps: a lone step
   * cannot know who else holds them.
   */
  recycle?: boolean;
  /** Classification: targets are flattened to class indices, as the lesson's `y.flatten().long()`. */
  cla?: boolean;
}

/** What one step gives back: the loss before the update (its graph freed), and its value when guarded. */
export interface StepResult {
  loss: Tensor;
  /** The loss as a number: read when `guard` is on, NaN otherwise (no readback). */
  value: number;
}

/**
 * One optimisation step, in the lesson's order: forward, loss, zeroGrad, backward, step. The one
 * training step of the library: `fit`, `trainBatch` and `rx.trainStep` all run it. Prepared once
 * per loop (the model, criterion and optimizer do not change while it runs), then `run` per batch.
 *
 * @example
 * const step = new TrainingStep(model, new nn.MSELoss(), optimizer, { guard: true });
 * for (const [x, y] of loader) console.log(step.run(x, y).value);
 */
export class TrainingStep {
  private readonly recycler: StepRecycler | null;
  private readonly norms: BatchNorm[];
  private readonly guard: boolean;
  private readonly cla: boolean;

  constructor(
    readonly model: Module,
    readonly criterion: Criterion,
    readonly optimizer: Optimizer,
    options: TrainingStepOptions = {},
  ) {
    this.guard = options.guard ?? false;
    this.cla = options.cla ?? false;
    this.recycler = options.recycle === false ? null : new StepRecycler(model, criterion, optimizer);
    this.norms = this.guard ? model.modules().filter((m): m is BatchNorm => m instanceof BatchNorm) : [];
  }

  /** One step on batch `x` with targets `y`; throws (state as described in TrainingStepOptions.guard) on failure. */
  run(x: Tensor, y0: Tensor): StepResult {
    const y = this.cla ? y0.flatten() : y0;
    if (!this.guard) return { loss: this.update(x, y), value: NaN };
    const saved: SavedRunningStats[] = this.norms.map((bn) => bn.saveRunningStats());
    try {
      let value = NaN;
      const loss = this.update(x, y, (l) => {
        value = l.item();
        if (!Number.isFinite(value)) throw new NonFiniteLossError(value);
      });
      for (const s of saved) s.discard();
      return { loss, value };
    } catch (err) {
      for (const s of saved) s.restore();
      throw err;
    }
  }

  private update(x: Tensor, y: Tensor, check?: (loss: Tensor) => void): Tensor {
    const { model, criterion, optimizer, recycler } = this;
    const loss = criterion.forward(model.forward(x), y);
    if (check) check(loss);
    const dead = recycler ? recycler.collect(loss, [x, y]) : null;
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (recycler && dead) recycler.release(dead, x, y);
    return loss;
  }
}
