import { noGrad } from '../autograd';
import { allRows, type Dataset } from '../data';
import { mseLoss } from '../functional/loss';
import type { Module } from '../nn';
import { tensor, type Tensor } from '../tensor';
import { formatShape } from '../backend/shape';

/** What the metrics need of a loader: its dataset (a `data.DataLoader`, or anything exposing one). */
export interface EvaluableLoader {
  readonly dataset: Dataset;
}

/**
 * The lesson's mse_cal: MSE of `model` over every row of the loader's dataset
 * in one forward pass (no shuffling, no random draws). The model's mode is the
 * caller's: in train mode BatchNorm uses, and updates, batch statistics, as in PyTorch.
 */
export function mseCal(loader: EvaluableLoader, model: Module): Tensor {
  const [x, y] = allRows(loader.dataset);
  return noGrad(() => mseLoss(model.forward(x), y));
}

/** The lesson's accuracy_cal: the fraction of rows whose argmax of softmax(model(X)) equals the label. */
export function accuracyCal(loader: EvaluableLoader, model: Module): Tensor {
  const [x, y] = allRows(loader.dataset);
  return noGrad(() => {
    const predicted = model.forward(x).softmax(1).argmax(1);
    if (predicted.size !== y.size) {
      throw new Error(
        `accuracyCal: model gives ${predicted.size} predictions for ${y.size} labels (label shape ${formatShape(y.shape)})`,
      );
    }
    let hits = 0;
    predicted.data.forEach((p, i) => {
      if (p === y.data[i]) hits++;
    });
    return tensor(hits / predicted.size);
  });
}
