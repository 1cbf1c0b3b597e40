import { manualSeed, nn } from '../src/index';
import { splitLoader, tensorGenReg } from '../src/data';
import { ownStream, type CommonParams, type Pipeline } from '../src/experiments';

/** Parameters of the {@link bnPlacement} pipeline: the common ones plus the data size and the MLP's shape. */
export interface BnPlacementParams extends CommonParams {
  /** Seed for the models' initial weights (the lesson's 24); each model gets the same Linear weights. */
  modelSeed: number;
  /** Hidden layer widths (the lesson's net_class1: one layer of 4). */
  hidden: number[];
  /** Examples drawn by tensorGenReg (70% train, 30% test). */
  numExamples: number;
}

/**
 * The lesson's headline experiment: where does BatchNorm go? Three ReLU MLPs on
 * the lesson's quadratic regression data (`tensorGenReg({w: [2, -1], bias:
 * false, deg: 2})`): no BatchNorm, BatchNorm before the activation ('pre',
 * Linear → BN → ReLU) and after it ('post', Linear → ReLU → BN). The 'pre' model
 * with the defaults is exactly the lesson's (and examples/02's) model.
 */
export const bnPlacement: Pipeline<BnPlacementParams> = {
  name: 'bn-placement',
  summary: 'no BatchNorm vs BatchNorm before vs after ReLU, quadratic regression',
  metric: 'MSE',
  defaults: { epochs: 20, seed: 420, lr: 0.03, batchSize: 10, modelSeed: 24, hidden: [4], numExamples: 1000 },
  params: {
    modelSeed: { doc: "seed for the models' initial weights (each model gets the same Linear weights)", integer: true },
    hidden: { doc: 'hidden layer widths, comma-separated', integer: true, min: 1 },
    numExamples: { doc: 'examples drawn (70% train, 30% test)', integer: true, min: 10 },
  },
  setup(p) {
    const stream = ownStream();
    manualSeed(p.seed);
    const [features, labels] = tensorGenReg({ numExamples: p.numExamples, w: [2, -1], bias: false, deg: 2 });
    const [train, test] = splitLoader(features, labels, {
      batchSize: p.batchSize,
      rate: 0.7,
      globalGenerator: stream.generator,
    });
    const placements = ['none', 'pre', 'post'] as const;
    const models = placements.map((bn) => {
      manualSeed(p.modelSeed);
      return new nn.MLP({ inFeatures: 2, hidden: p.hidden, outFeatures: 1, bn, activation: 'relu' });
    });
    return Promise.resolve([{ models, names: [...placements], train, test, generator: stream.follow() }]);
  },
};
