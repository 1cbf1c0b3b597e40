import { BatchNorm, type Module } from '../nn';
import type { SavedRunningStats } from '../nn/batch-norm';
import { tidy, type Tensor } from '../tensor';

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
   * Run the step in a tidy scope (default true): once the optimizer has stepped, the activations
   * the step's autograd graph made go back to the backend, for the next step to reuse
   * (src/tensor/lifetime.ts). A module that keeps one past the step marks it with `keep(t)`.
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
  private readonly recycle: boolean;
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
    this.recycle = options.recycle ?? true;
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
    const { model, criterion, optimizer } = this;
    const step = () => {
      const loss = criterion.forward(model.forward(x), y);
      if (check) check(loss);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      return loss;
    };
    return this.recycle ? tidy(step) : step();
  }
}
