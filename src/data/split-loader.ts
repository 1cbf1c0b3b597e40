import { Generator } from '../random';
import { Tensor } from '../tensor';
import { check, expect, is, options } from '../validate';
import { randomSplit, TensorDataset } from './dataset';
import { DataLoader } from './loader';
import { formatShape } from '../backend/shape';

/** splitLoader's options. */
export interface SplitLoaderOptions {
  /** Rows per training and test batch (default 10). */
  batchSize?: number;
  /** The share of rows that train, in (0, 1) (default 0.7): int(n * rate) rows. */
  rate?: number;
  /**
   * The stream for the split, the training shuffles and both loaders' per-epoch seeds, as
   * DataLoader's `generator` (PyTorch's `generator=` of random_split and DataLoader). Default: the global generator, as the lesson.
   * Code that runs beside other pipelines in one process passes its own, so its batches do not
   * depend on what the others draw.
   */
  generator?: Generator;
  /**
   * Without `generator`: the stream both loaders draw their per-epoch seeds from in place of
   * the global generator, as DataLoader's `globalGenerator` (the split itself draws from the
   * global generator, as the lesson's). Default: the global generator.
   */
  globalGenerator?: Generator;
}

const splitOptions = {
  batchSize: is.positiveInt,
  rate: is.number,
  generator: is.instance(Generator),
  globalGenerator: is.instance(Generator),
};

/**
 * The lesson's split_loader: a random split of (features, labels) into
 * int(n * rate) training rows and the rest, then a shuffled training loader
 * and an unshuffled test loader. Returns [trainLoader, testLoader]. Both parts
 * must get at least one row; a rate that leaves one empty is an error naming it.
 *
 * @example
 * const [train, test] = splitLoader(features, labels, { batchSize: 10, rate: 0.7, generator: new Generator(420) });
 */
export function splitLoader(features: Tensor, labels: Tensor, opts: SplitLoaderOptions = {}): [DataLoader, DataLoader] {
  const { batchSize = 10, rate = 0.7, generator, globalGenerator } = options('splitLoader', 'opts', opts, splitOptions);
  check('splitLoader', 'features', features, is.instance(Tensor));
  check('splitLoader', 'labels', labels, is.instance(Tensor));
  check(
    'splitLoader',
    'opts.rate',
    rate,
    expect<number>('in (0, 1)', (v) => typeof v === 'number' && v > 0 && v < 1),
  );
  if (features.ndim === 0 || labels.ndim === 0 || features.shape[0] !== labels.shape[0]) {
    throw new Error(
      `splitLoader: features and labels must have the same number of rows, got shapes ${formatShape(features.shape)} and ${formatShape(labels.shape)}`,
    );
  }
  const data = new TensorDataset(features, labels);
  const n = data.length;
  const numTrain = Math.trunc(n * rate);
  // The training part has int(n * rate) rows and the test part the rest, which is at least one row as rate < 1.
  if (numTrain < 1) {
    throw new Error(
      `splitLoader: opts.rate ${rate} of ${n} rows leaves 0 training rows; ` +
        (n >= 2
          ? `expected a rate of at least 1/${n} (${1 / n}), so that each part has a row`
          : `expected at least 2 rows (one to train, one to test), got ${n}`),
    );
  }
  const [train, test] = randomSplit(data, [numTrain, n - numTrain], generator ? { generator } : {});
  const streams = { ...(generator ? { generator } : {}), ...(globalGenerator ? { globalGenerator } : {}) };
  return [
    new DataLoader(train, { batchSize, shuffle: true, ...streams }),
    new DataLoader(test, { batchSize, shuffle: false, ...streams }),
  ];
}
