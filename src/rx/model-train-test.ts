import { filter, lastValueFrom, reduce } from 'rxjs';
import type { EpochEvent } from './events';
import { trainTest$, TrainTestOptions } from './train-test';

/**
 * The lesson's `model_train_test`: trains `model` for `epochs` epochs and
 * resolves to the metric per epoch, `{train: number[], test: number[]}`.
 * Defaults as the lesson: 20 epochs, MSELoss, SGD, lr 0.03, mseCal. The lesson
 * trains i passes in its epoch i (it passes the loop index as `fit`'s epochs);
 * rxnn trains one pass per epoch.
 *
 * @example
 * const { train, test } = await modelTrainTest({ model, train: trainLoader, test: testLoader });
 */
// async: a bad option rejects the returned Promise instead of throwing at the call.
export async function modelTrainTest(options: TrainTestOptions): Promise<{
  /** The metric on the training data, one value per epoch. */
  train: number[];
  /** The metric on the test data, one value per epoch. */
  test: number[];
}> {
  return lastValueFrom(
    trainTest$(options).pipe(
      filter((e): e is EpochEvent => e.kind === 'epoch'),
      reduce(
        (acc, e) => {
          acc.train.push(e.train);
          acc.test.push(e.test);
          return acc;
        },
        { train: [] as number[], test: [] as number[] },
      ),
    ),
    { defaultValue: { train: [], test: [] } },
  );
}
