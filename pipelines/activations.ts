import { manualSeed, nn } from '../src/index';
import { splitLoader, tensorGenReg } from '../src/data';
import { ownStream, type CommonParams, type Pipeline } from '../src/experiments';

/** Parameters of the {@link activations} pipeline: the common ones plus the activations and the MLP's shape. */
export interface ActivationsParams extends CommonParams {
  /** The activations to compare; each is trained without BatchNorm and with BatchNorm before it. */
  activations: ('relu' | 'sigmoid' | 'tanh')[];
  /** Hidden widths: deeper than the lesson's net_class1, where saturation and scale drift bite. */
  hidden: number[];
  /** Seed for the models' initial weights. */
  modelSeed: number;
}

/**
 * Does BatchNorm help every activation? A deeper MLP (three hidden layers of
 * 4) with ReLU, Sigmoid and Tanh, each without BatchNorm and with it before the
 * activation, on the lesson's quadratic regression data. Sigmoid and Tanh
 * saturate as activations drift; BatchNorm keeps their inputs centred.
 */
export const activations: Pipeline<ActivationsParams> = {
  name: 'activations',
  summary: 'ReLU, Sigmoid and Tanh with and without BatchNorm, deeper MLP',
  metric: 'MSE',
  defaults: {
    epochs: 20,
    seed: 420,
    lr: 0.03,
    batchSize: 10,
    activations: ['relu', 'sigmoid', 'tanh'],
    hidden: [4, 4, 4],
    modelSeed: 24,
  },
  params: {
    activations: { doc: 'activations to compare, comma-separated', choices: ['relu', 'sigmoid', 'tanh'] },
    hidden: { doc: 'hidden layer widths, comma-separated', integer: true, min: 1 },
    modelSeed: { doc: "seed for the models' initial weights", integer: true },
  },
  setup(p) {
    const stream = ownStream();
    manualSeed(p.seed);
    const [features, labels] = tensorGenReg({ w: [2, -1], bias: false, deg: 2 });
    const [train, test] = splitLoader(features, labels, {
      batchSize: p.batchSize,
      rate: 0.7,
      globalGenerator: stream.generator,
    });
    const variants = p.activations.flatMap((activation) =>
      (['none', 'pre'] as const).map((bn) => ({ activation, bn })),
    );
    const models = variants.map(({ activation, bn }) => {
      manualSeed(p.modelSeed);
      return new nn.MLP({ inFeatures: 2, hidden: p.hidden, bn, activation });
    });
    return Promise.resolve([
      {
        models,
        names: variants.map((v) => (v.bn === 'none' ? v.activation : `${v.activation}+bn`)),
        train,
        test,
        generator: stream.follow(),
      },
    ]);
  },
};
