/**
 * A small regression problem shaped like bench/w2.ts's W2: random inputs, a linear target, a
 * shuffling loader of batch 32, an MLP with BatchNorm before ReLU, MSE and SGD with momentum 0.9.
 * The tests of buffer reuse and of residency train it; `make` swaps in a model of your own, built
 * after the seed is set so that its initial weights depend on the seed alone.
 */
import { data, manualSeed, nn, optim, randn } from '../../src';

export interface ProblemOptions {
  samples?: number;
  inFeatures?: number;
  hidden?: number[];
  /** The target is x @ w * targetScale for a random w. */
  targetScale?: number;
  make?: () => nn.Module;
}

export function trainingProblem(seed: number, o: ProblemOptions = {}) {
  const { samples = 96, inFeatures = 16, hidden = [32, 32], targetScale = 0.5 } = o;
  manualSeed(seed);
  const x = randn(samples, inFeatures);
  const y = x.matmul(randn(inFeatures, 1)).mul(targetScale);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
  const model = o.make ? o.make() : new nn.MLP({ inFeatures, hidden, outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return { loader, model, optimizer, criterion: new nn.MSELoss() };
}
