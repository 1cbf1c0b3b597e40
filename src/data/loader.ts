import { defaultGenerator, Generator } from '../random';
import type { Tensor } from '../tensor';
import { positiveInt } from './check';
import type { Dataset } from './dataset';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Stream for the base seed and the shuffling seed; default: the global generator. */
  generator?: Generator;
}

/**
 * Batches of a dataset, drawing from the random stream exactly as PyTorch's
 * DataLoader (num_workers = 0) does, so a seed gives the same batch order:
 * - each iteration (epoch) first draws a base seed: one int64 from the generator;
 * - with `shuffle`, the first batch then draws a second int64 that seeds a new
 *   Generator, whose randperm(n) is the epoch's order.
 * Iterating yields [X, y] (one tensor per dataset tensor) batches.
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;

  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, generator } = opts;
    positiveInt('DataLoader', 'batchSize', batchSize);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  [Symbol.iterator](): Iterator<Tensor[]> {
    const gen = this.generator ?? defaultGenerator;
    gen.randomInt64(); // the base seed PyTorch's iterator draws (used by workers; consumed even without them)
    return this.batches(gen);
  }

  /** The epoch's sample order; lazy, so the shuffling seed is drawn at the first batch as in PyTorch. */
  private *batches(gen: Generator): IterableIterator<Tensor[]> {
    const n = this.dataset.length;
    const order = this.shuffle ? new Generator(gen.randomInt64()).randperm(n) : [...Array(n).keys()];
    const end = this.dropLast ? n - (n % this.batchSize) : n;
    for (let i = 0; i < end; i += this.batchSize) {
      yield this.dataset.rows(order.slice(i, Math.min(i + this.batchSize, end)));
    }
  }
}
