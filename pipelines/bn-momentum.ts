import { manualSeed, nn } from '../src/index';
import { splitLoader, tensorGenReg } from '../src/data';
import { ownStream, type CommonParams, type Experiment, type Pipeline } from '../src/experiments';

/** Parameters of the {@link bnMomentum} pipeline: the common ones plus the momenta and batch sizes to compare. */
export interface BnMomentumParams extends CommonParams {
  /** BatchNorm momenta to compare: the weight of the newest batch in the running averages. */
  momenta: number[];
  /** The large batch size, run after the small one (`batchSize`). */
  largeBatchSize: number;
  /** Seed for the models' initial weights (every momentum starts from the same weights). */
  modelSeed: number;
  /** Hidden layer widths of the MLP. */
  hidden: number[];
}

/**
 * How fast should the running statistics move? The same BN-'pre' ReLU MLP
 * (same initial weights) with several BatchNorm momenta, at a small and a large
 * batch size. Evaluation runs in eval mode, where BatchNorm normalises with the
 * running statistics, so a momentum that lags (small) or jitters (large) shows
 * in the test MSE; large batches take fewer steps per epoch, so slow momenta lag
 * more there.
 */
export const bnMomentum: Pipeline<BnMomentumParams> = {
  name: 'bn-momentum',
  summary: 'BatchNorm momentum sweep at a small and a large batch size',
  metric: 'MSE',
  defaults: {
    epochs: 20,
    seed: 420,
    lr: 0.03,
    batchSize: 10,
    largeBatchSize: 100,
    momenta: [0.01, 0.1, 0.5, 0.9],
    modelSeed: 24,
    hidden: [4],
  },
  params: {
    momenta: { doc: 'BatchNorm momenta to compare, comma-separated', min: 0, max: 1 },
    largeBatchSize: { doc: 'the large batch size, run after the small one (batchSize)', integer: true, min: 1 },
    modelSeed: { doc: "seed for the models' initial weights", integer: true },
    hidden: { doc: 'hidden layer widths, comma-separated', integer: true, min: 1 },
  },
  setup(p) {
    const stream = ownStream();
    manualSeed(p.seed);
    const [features, labels] = tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
    const experiments: Experiment[] = [];
    for (const batchSize of [p.batchSize, p.largeBatchSize]) {
      const [train, test] = splitLoader(features, labels, { batchSize, rate: 0.7, globalGenerator: stream.generator });
      const models = p.momenta.map((momentum) => {
        manualSeed(p.modelSeed);
        return new nn.MLP({ inFeatures: 2, hidden: p.hidden, bn: 'pre', activation: 'relu', momentum });
      });
      const names = p.momenta.map((m) => `m=${m}`);
      experiments.push({ group: `batch${batchSize}`, models, names, train, test, generator: stream.generator });
    }
    stream.follow();
    return Promise.resolve(experiments);
  },
};
