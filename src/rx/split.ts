import type { OperatorFunction } from 'rxjs';
import { splitLoader } from '../data';
import type { Tensor } from '../tensor';
import { operate, relay } from './operate';
import type { Loader } from './options';

/** Options of {@link split}. */
export interface SplitOptions {
  /** Training batch size (default 10, as the lesson's split_loader). */
  batchSize?: number;
  /** Share of the examples that go to training (default 0.7). */
  rate?: number;
}

/** The two loaders of a split: `train` shuffles every epoch, `test` does not. */
export interface Split {
  /** The training loader (shuffled every epoch, `batchSize` rows per batch). */
  train: Loader;
  /** The test loader (in order). */
  test: Loader;
}

/**
 * Splits each `[features, labels]` dataset into train and test loaders with
 * `data.splitLoader` (random_split, then DataLoaders), drawing from the global
 * generator in the lesson's order.
 *
 * @example
 * source({ kind: 'reg', w: [2, -1], bias: false, deg: 2 }).pipe(split({ batchSize: 10, rate: 0.7 }))
 *   .subscribe(({ train, test }) => …);
 */
export function split(options: SplitOptions = {}): OperatorFunction<readonly [Tensor, Tensor], Split> {
  return operate((source, out) =>
    source.subscribe(
      relay(out, ([features, labels]) => {
        const [train, test] = splitLoader(features, labels, options);
        out.next({ train: train, test: test });
      }),
    ),
  );
}
