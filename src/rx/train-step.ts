import type { OperatorFunction } from 'rxjs';
import { K } from '../backend/registry';
import { BatchNorm, type Module } from '../nn';
import type { Tensor } from '../tensor';
import { StepRecycler } from '../train/recycle';
import { TrainingError } from './errors';
import { named } from './named';
import type { BatchEvent, PipelineEvent, StepEvent } from './events';
import { operate, relay } from './operate';
import type { Criterion, Optimizer } from './options';

export interface TrainStepOptions {
  model: Module;
  criterion: Criterion;
  optimizer: Optimizer;
  /** Classification: targets are flattened to class indices, as the lesson's `fit(cla=True)`. */
  cla?: boolean;
  /** The model's name, attached to every event (for comparisons). */
  name?: string;
}

/**
 * Turns each batch into one optimisation step, in the lesson's order: forward,
 * loss, zeroGrad, backward, step; then emits `{kind: 'step', epoch, step, loss,
 * batchSize}` (the loss before the update). BatchNorm running statistics move
 * as a side effect of train mode, as in the engine. Other events pass through.
 *
 * A step either happens whole or not at all: a NaN or infinite loss is caught
 * before backward, so the stream errors with a TrainingError (epoch, step,
 * cause) and the weights stay as they were. So do the BatchNorm running
 * statistics, which the forward pass had already moved: they are put back, as
 * they are when the forward pass, the criterion, backward or the optimizer throws
 * (gradients zeroed by then stay zeroed).
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
    // Found once per run; each step copies only their few per-channel numbers.
    const norms = model.modules().filter((m): m is BatchNorm => m instanceof BatchNorm);
    // The step's activations go back to the backend after the update (src/train/recycle.ts).
    const recycler = new StepRecycler(model, criterion, optimizer);
    return source.subscribe(
      relay(out, (ev) => {
        if (ev.kind !== 'batch') return out.next(ev as Exclude<E, BatchEvent<Tensor, Tensor>>);
        const where = { epoch: ev.epoch, step: ev.step, model: name };
        const loss = TrainingError.wrap(where, () => {
          const saved = saveRunningStats(norms);
          try {
            const yhat = model.forward(ev.X);
            const out = criterion.forward(yhat, cla ? ev.y.flatten() : ev.y);
            const value = out.item();
            if (!Number.isFinite(value)) {
              throw new TrainingError(where, `loss is ${value}; stopped before the update, the weights are unchanged`);
            }
            const dead = recycler.collect(out, [ev.X, ev.y]);
            optimizer.zeroGrad();
            out.backward();
            optimizer.step();
            recycler.release(dead, ev.X, ev.y);
            saved.discard();
            return value;
          } catch (err) {
            // Whatever failed (forward, loss, backward, or a step that refused its gradients
            // before writing), the running statistics go back to where the step found them.
            saved.restore();
            throw err;
          }
        });
        out.next({ kind: 'step', ...named(name), epoch: ev.epoch, step: ev.step, loss, batchSize: ev.X.shape[0] });
      }),
    );
  });
}

/**
 * Copies the running statistics of `norms` (by kernel: on a device backend the copies stay
 * on the device, so a step reads back nothing but its loss). `restore` writes them back,
 * `discard` hands the copies to the backend.
 */
function saveRunningStats(norms: BatchNorm[]): { restore(): void; discard(): void } {
  const copy = (t: Tensor | null) => (t ? K.unary('copy', t.storage) : null);
  const saved = norms.map((bn) => ({
    bn,
    mean: copy(bn.runningMean),
    variance: copy(bn.runningVar),
    count: bn.numBatchesTracked,
  }));
  const put = (t: Tensor | null, v: Float32Array | null) => {
    if (!t || !v) return;
    K.sync(v);
    t.data.set(v);
  };
  return {
    restore() {
      for (const { bn, mean, variance, count } of saved) {
        put(bn.runningMean, mean);
        put(bn.runningVar, variance);
        bn.numBatchesTracked = count;
      }
    },
    discard() {
      for (const { mean, variance } of saved) {
        if (mean) K.release(mean);
        if (variance) K.release(variance);
      }
    },
  };
}
