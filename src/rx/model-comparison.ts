import { filter, lastValueFrom, reduce } from 'rxjs';
import { compare$, CompareOptions } from './compare';
import type { EpochEvent } from './events';

/**
 * The lesson's `model_comparison`: trains every model for `epochs` epochs on
 * the same loaders and resolves to `{train: number[][], test: number[][]}`,
 * one row per model (in `models` order) and one value per epoch. One pass per
 * epoch, where the lesson's epoch i trains i passes.
 *
 * @example
 * const { test } = await modelComparison({ models, names, train: trainLoader, test: testLoader });
 */
// async: a bad option rejects the returned Promise instead of throwing at the call.
export async function modelComparison(options: CompareOptions): Promise<{
  /** The metric on the training data: one row per model (in `models` order), one value per epoch. */
  train: number[][];
  /** The metric on the test data, laid out as `train`. */
  test: number[][];
}> {
  // compare$ checks the options first, so the names below are valid.
  const events = compare$(options);
  const names = options.names ?? options.models.map((_, i) => `model${i + 1}`);
  const empty = () => ({ train: names.map(() => [] as number[]), test: names.map(() => [] as number[]) });
  return lastValueFrom(
    events.pipe(
      filter((e): e is EpochEvent => e.kind === 'epoch'),
      reduce((acc, e) => {
        const i = names.indexOf(e.model!);
        acc.train[i].push(e.train);
        acc.test[i].push(e.test);
        return acc;
      }, empty()),
    ),
    { defaultValue: empty() },
  );
}
