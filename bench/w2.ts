import { data, fit, manualSeed, nn, optim, randn } from '../src';

/**
 * W2's training on the current backend: `batches` batches of 256 rows of [*, 64] inputs, an MLP
 * with 3 hidden layers of 256 (BatchNorm before ReLU), MSE and SGD, trained through `fit` as users
 * train. `epoch()` trains one shuffled epoch and reads a weight back (on webgpu `fit` returns
 * before the device has run it all).
 */
export function w2Training(batches: number): { epoch: () => Promise<void>; samples: number } {
  manualSeed(420);
  const samples = batches * 256;
  const x = randn(samples, 64);
  const y = x.matmul(randn(64, 1)).mul(0.1);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 256, shuffle: true });
  const model = new nn.MLP({ inFeatures: 64, hidden: [256, 256, 256], outFeatures: 1, bn: 'pre' });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.03 });
  const criterion = new nn.MSELoss();
  const epoch = async (): Promise<void> => {
    await fit({ model, criterion, optimizer, loader, epochs: 1 });
    void model.parameters()[0].data[0];
  };
  return { epoch, samples };
}
