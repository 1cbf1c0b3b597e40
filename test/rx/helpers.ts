import { manualSeed, nn, optim, tensor, Tensor } from '../../src/index';
import { TensorDataset } from '../../src/data/dataset';
import { DataLoader } from '../../src/data/loader';
import { defaultGenerator } from '../../src/random';

/** The lesson's regression data, small: y = 2·x0² − x1² + noise, 60 rows, split 42/18 by hand. */
export function lessonData(seed = 420, n = 60) {
  manualSeed(seed);
  const x: number[] = [];
  const y: number[] = [];
  // Deterministic, engine-independent rows; the shuffling still draws from the seeded generator.
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 1.7) * 1.5;
    const b = Math.cos(i * 0.9) * 1.2;
    x.push(a, b);
    y.push(2 * a * a - b * b + 0.01 * Math.sin(i * 7.3));
  }
  const X = tensor(Float32Array.from(x), { shape: [n, 2] });
  const Y = tensor(Float32Array.from(y), { shape: [n, 1] });
  const cut = Math.round(n * 0.7);
  const rows = (t: Tensor, lo: number, hi: number) => t.indexSelect([...Array(hi - lo).keys()].map((i) => i + lo));
  const train = new DataLoader(new TensorDataset(rows(X, 0, cut), rows(Y, 0, cut)), { batchSize: 10, shuffle: true });
  const test = new DataLoader(new TensorDataset(rows(X, cut, n), rows(Y, cut, n)), { batchSize: 10 });
  return { X, Y, train, test };
}

/** A BN MLP with the lesson's initial weights for `seed`. */
export function model(bn: 'none' | 'pre' | 'post' = 'pre', seed = 24): nn.MLP {
  manualSeed(seed);
  return new nn.MLP({ inFeatures: 2, hidden: [4], outFeatures: 1, bn });
}

/** Every parameter and buffer as plain numbers, for exact comparisons. */
export function weights(m: nn.Module): Record<string, number[] | number> {
  return Object.fromEntries(
    Object.entries(m.stateDict()).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v.data)]),
  );
}

/** The plain loop the operators must reproduce: forward, loss, zeroGrad, backward, step. */
export function plainEpoch(
  m: nn.Module,
  loader: Iterable<Tensor[]>,
  opt: optim.SGD,
  criterion = new nn.MSELoss(),
): number[] {
  const losses: number[] = [];
  for (const [X, y] of loader) {
    const loss = criterion.forward(m.forward(X), y);
    losses.push(loss.item());
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  return losses;
}

/** The lesson's mse_cal, written out: MSE over the loader's whole dataset. */
export function mse(loader: DataLoader, m: nn.Module): number {
  const [X, y] = (loader.dataset as TensorDataset).all();
  return new nn.MSELoss().forward(m.forward(X), y).item();
}

export const rngState = () => JSON.stringify(defaultGenerator.getState());
