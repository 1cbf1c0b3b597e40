import type { OperatorFunction } from 'rxjs';
import type { Module } from '../nn';
import type { Tensor } from '../tensor';
import { NonFiniteLossError, TrainingStep, type Criterion, type Optimizer } from '../train/step';
import { TrainingError } from './errors';
import { named } from './named';
import type { BatchEvent, PipelineEvent, StepEvent } from './events';
import { operate, relay } from './operate';

/** Options of {@link trainStep}. */
export interface TrainStepOptions {
  /** The model to train (in train mode); each batch's `X` goes through `model.forward`. */
  model: Module;
  /** The loss, e.g. `new nn.MSELoss()`: `criterion.forward(model.forward(X), y)`. */
  criterion: Criterion;
  /** Updates the model's parameters: `zeroGrad()` before backward, `step()` after. */
  optimizer: Optimizer;
  /** Classification: targets are flattened to class indices, as the lesson's `fit(cla=True)`. */
  cla?: boolean;
  /** The model's name, attached to every event (for comparisons). */
  name?: string;
}

/**
 * Turns each batch into one optimisation step (train/step.ts's TrainingStep, as `fit` runs), in
 * the lesson's order: forward, loss, zeroGrad, backward, step; then emits `{kind: 'step', epoch,
 * step, loss, batchSize}` (the loss before the update). BatchNorm running statistics move as a
 * side effect of train mode, as in the engine. Other events pass through.
 *
 * A step either happens whole or not at all: a NaN or infinite loss is caught before backward,
 * so the stream errors with a TrainingError (epoch, step, cause) and the weights stay as they
 * were. So do the BatchNorm running statistics, which the forward pass had already moved: they
 * are put back, as they are when the forward pass, the criterion, backward or the optimizer
 * throws (gradients zeroed by then stay zeroed).
 *
 * @example
 * batches(train).pipe(epochs(20), trainStep({ model, criterion: new nn.MSELoss(), optimizer }))
 *   .subscribe((e) => e.kind === 'step' && console.log(e.epoch, e.step, e.loss));
 */
export function trainStep<E extends PipelineEvent<Tensor, Tensor>>(
  options: TrainStepOptions,
): OperatorFunction<E, Exclude<E, BatchEvent<Tensor, Tensor>> | StepEvent> {
  const { model, criterion, optimizer, cla = false, name } = options;
  return operate((source, out) => {
    // Prepared once per run: the step's activations go back to the backend after each update.
    const step = new TrainingStep(model, criterion, optimizer, { guard: true, cla });
    return source.subscribe(
      relay(out, (ev) => {
        if (ev.kind !== 'batch') return out.next(ev as Exclude<E, BatchEvent<Tensor, Tensor>>);
        const where = { epoch: ev.epoch, step: ev.step, model: name };
        const loss = TrainingError.wrap(where, () => {
          try {
            return step.run(ev.X, ev.y).value;
          } catch (err) {
            if (err instanceof NonFiniteLossError) throw new TrainingError(where, err.message);
            throw err;
          }
        });
        out.next({ kind: 'step', ...named(name), epoch: ev.epoch, step: ev.step, loss, batchSize: ev.X.shape[0] });
      }),
    );
  });
}
