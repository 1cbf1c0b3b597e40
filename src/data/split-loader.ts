import type { Tensor } from '../tensor';
import { positiveInt, show } from './check';
import { randomSplit, TensorDataset } from './dataset';
import { DataLoader } from './loader';
import { formatShape } from '../backend/shape';

/**
 * The lesson's split_loader: a random split of (features, labels) into
 * int(n * rate) training rows and the rest, then a shuffled training loader
 * and an unshuffled test loader. Returns [trainLoader, testLoader].
 */
export function splitLoader(
  features: Tensor,
  labels: Tensor,
  opts: { batchSize?: number; rate?: number } = {},
): [DataLoader, DataLoader] {
  const { batchSize = 10, rate = 0.7 } = opts;
  positiveInt('splitLoader', 'batchSize', batchSize);
  if (typeof rate !== 'number' || !(rate > 0 && rate < 1))
    throw new Error(`splitLoader: rate must be in (0, 1), got ${show(rate)}`);
  if (features.ndim === 0 || labels.ndim === 0 || features.shape[0] !== labels.shape[0]) {
    throw new Error(
      `splitLoader: features and labels must have the same number of rows, got shapes ${formatShape(features.shape)} and ${formatShape(labels.shape)}`,
    );
  }
  const data = new TensorDataset(features, labels);
  const numTrain = Math.trunc(data.length * rate);
  const [train, test] = randomSplit(data, [numTrain, data.length - numTrain]);
  return [new DataLoader(train, { batchSize, shuffle: true }), new DataLoader(test, { batchSize, shuffle: false })];
}
