import { defaultGenerator, Generator } from '../random';
import type { Tensor } from '../tensor';
import { positiveInt } from './check';
import { is, options } from '../validate';

const loaderOptions = {
  batchSize: is.positiveInt,
  shuffle: is.boolean,
  dropLast: is.boolean,
  generator: is.instance(Generator),
  globalGenerator: is.instance(Generator),
};
import type { Dataset } from './dataset';

/** Options of {@link DataLoader}, as `torch.utils.data.DataLoader`'s keyword arguments. */
export interface DataLoaderOptions {
  /** Rows per batch (default 1). */
  batchSize?: number;
  /** A new random row order each epoch (default false: rows in order). */
  shuffle?: boolean;
  /** Drop the last batch when it has fewer than `batchSize` rows (default false). */
  dropLast?: boolean;
  /**
   * Stream for the base seed and the shuffled order (PyTorch's `generator=`): the order is
   * then randperm(n) of this stream itself. Default: the global generator, with a fresh
   * Generator seeded from it per epoch.
   */
  generator?: Generator;
  /**
   * Stands in for PyTorch's global generator in this loader (default: the global generator
   * itself): without `generator`, the loader draws from it exactly what PyTorch draws from the
   * global one. A pipeline that runs beside others in one process passes a stream of its own,
   * so its batches do not depend on what the others draw.
   */
  globalGenerator?: Generator;
}

/**
 * Batches of a dataset, drawing from the random streams exactly when and what
 * PyTorch 1.13's DataLoader (num_workers = 0) draws, so a seed gives the same
 * batch order and leaves the stream at the same place:
 * - each iteration (epoch) first draws a base seed: one int64 from the loader's
 *   generator (the global one by default), shuffled or not;
 * - with `shuffle` and no `generator`, the first batch then draws a second int64
 *   from the global generator that seeds a fresh Generator, whose randperm(n) is
 *   the epoch's order (RandomSampler without a generator);
 * - with `shuffle` and a `generator`, the first batch takes randperm(n) from that
 *   generator directly, and running out of samples takes a second randperm(n)
 *   that is thrown away (RandomSampler's `randperm(n)[:num_samples % n]`), so the
 *   generator moves on by two permutations per full epoch, as in PyTorch.
 * Iterating yields [X, y] (one tensor per dataset tensor) batches; each
 * `for ... of` is one epoch.
 *
 * @example
 * ```ts
 * import { data, manualSeed, randn } from 'rxnn';
 * manualSeed(420);
 * const dataset = new data.TensorDataset(randn(10, 2), randn(10, 1));
 * const loader = new data.DataLoader(dataset, { batchSize: 4, shuffle: true });
 * loader.length; // 3
 * for (const [X, y] of loader) console.log(X.shape, y.shape); // [4, 2] [4, 1] twice, then [2, 2] [2, 1]
 * ```
 */
export class DataLoader implements Iterable<Tensor[]> {
  /** The dataset the batches come from. */
  readonly dataset: Dataset;
  /** Rows per batch. */
  readonly batchSize: number;
  /** Whether each epoch draws a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;
  private readonly global: Generator;

  /** As `torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last, generator)` with `num_workers=0`. */
  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    const {
      batchSize = 1,
      shuffle = false,
      dropLast = false,
      generator,
      globalGenerator = defaultGenerator,
    } = options('DataLoader', 'opts', opts, loaderOptions);
    if (dataset == null || typeof dataset.rows !== 'function' || !Number.isInteger(dataset.length)) {
      throw new Error(
        `DataLoader: dataset must be a Dataset (TensorDataset, Subset...), got ${dataset === null ? 'null' : typeof dataset}`,
      );
    }
    positiveInt('DataLoader', 'batchSize', batchSize);
    if (generator !== undefined && !(generator instanceof Generator)) {
      throw new Error(`DataLoader: generator must be a Generator, got ${typeof generator}`);
    }
    if (shuffle && dataset.length === 0) {
      throw new Error(
        'DataLoader: cannot shuffle an empty dataset (PyTorch: num_samples should be a positive integer value, but got num_samples=0)',
      );
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
    this.global = globalGenerator;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * One epoch: draws the base seed (and, shuffling, the order) as PyTorch does, then yields each batch as one tensor
   * per dataset tensor.
   */
  [Symbol.iterator](): Iterator<Tensor[]> {
    (this.generator ?? this.global).randomInt64(); // the iterator's base seed (for workers; drawn even without them)
    return this.batches();
  }

  /**
   * The sampler and the batch sampler (PyTorch's RandomSampler/SequentialSampler and
   * BatchSampler) over the epoch's row order as one array, drawing when PyTorch draws:
   * the permutation when the first batch is asked for, and (with a `generator`) the
   * discarded second permutation when the sampler runs dry, i.e. on the request after
   * the last full batch, before a partial one.
   */
  private *batches(): IterableIterator<Tensor[]> {
    const n = this.dataset.length,
      bs = this.batchSize;
    let order: number[] | null = null; // null: 0, 1, ..., n-1
    if (this.shuffle) {
      // Without a generator, the private one's second permutation is unobservable, so it is skipped.
      order = this.generator ? this.generator.randperm(n) : new Generator(this.global.randomInt64()).randperm(n);
    }
    const take = (start: number, end: number): number[] => {
      if (order) return order.slice(start, end);
      const b = new Array<number>(end - start);
      for (let i = start; i < end; i++) b[i - start] = i;
      return b;
    };
    const full = n - (n % bs);
    for (let start = 0; start < full; start += bs) yield this.dataset.rows(take(start, start + bs));
    if (this.shuffle && this.generator) this.generator.randperm(n); // PyTorch's randperm(n)[:0] for the remainder: drawn, then discarded
    if (full < n && !this.dropLast) yield this.dataset.rows(take(full, n));
  }
}
