/**
 * Bad input to the data helpers: each error names the argument and the value it got
 * (issue 3, "Bad input"). Nothing is clamped, rounded or wrapped silently.
 */
import { describe, expect, it } from 'vitest';
import { data, fit, Generator, manualSeed, nn, optim, tensor, zeros } from '../../src';
import { rowDataset } from './helpers';

/** Escape a literal for a RegExp. */
const lit = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Expects `fn` to throw an Error whose message contains every part, in order. */
function throwsNaming(fn: () => unknown, ...parts: string[]): void {
  expect(fn).toThrow(new RegExp(parts.map(lit).join('.*'), 's'));
}

describe('tensorGenReg', () => {
  it.each([[-5], [2.5], [0]])('numExamples %s', (n) => {
    throwsNaming(() => data.tensorGenReg({ numExamples: n }), 'numExamples', String(n));
  });
  it('an empty w', () => {
    throwsNaming(() => data.tensorGenReg({ w: [] }), 'w', '[]');
    throwsNaming(() => data.tensorGenReg({ w: [], bias: false }), 'w', '[]');
  });
  it('w with bias needs a weight and the intercept', () => {
    throwsNaming(() => data.tensorGenReg({ w: [3] }), 'w', '[3]');
  });
  it('a non-finite weight', () => {
    throwsNaming(() => data.tensorGenReg({ w: [1, NaN, 2] }), 'w[1]', 'NaN');
  });
  it.each([[0], [-1], [0.5], [1.5]])('deg %s', (deg) => {
    throwsNaming(() => data.tensorGenReg({ deg }), 'deg', String(deg));
  });
  it('a negative or infinite delta', () => {
    throwsNaming(() => data.tensorGenReg({ delta: -0.1 }), 'delta', '-0.1');
    throwsNaming(() => data.tensorGenReg({ delta: Infinity }), 'delta', 'Infinity');
  });
  it('draws nothing when it throws', () => {
    const g = manualSeed(3);
    const before = JSON.stringify(g.getState());
    expect(() => data.tensorGenReg({ deg: 0 })).toThrow();
    expect(JSON.stringify(g.getState())).toBe(before);
  });
});

describe('tensorGenCla', () => {
  it.each([[-1], [1.5], [0]])('numExamples %s', (n) => {
    throwsNaming(() => data.tensorGenCla({ numExamples: n }), 'numExamples', String(n));
  });
  it('numInputs 0 and fractional numClass', () => {
    throwsNaming(() => data.tensorGenCla({ numInputs: 0 }), 'numInputs', '0');
    throwsNaming(() => data.tensorGenCla({ numClass: 2.5 }), 'numClass', '2.5');
  });
  it('a negative spread in degDispersion', () => {
    throwsNaming(() => data.tensorGenCla({ degDispersion: [4, -1] }), 'degDispersion', '[4, -1]');
  });
});

describe('randomSplit', () => {
  const ds = rowDataset(1000);
  it('a negative length', () => {
    throwsNaming(() => data.randomSplit(ds, [-1, 1001]), 'lengths[0]', '-1');
  });
  it('a fractional count', () => {
    throwsNaming(() => data.randomSplit(ds, [700.5, 299.5]), 'lengths[0]', '700.5');
  });
  it('lengths that do not sum to the dataset size', () => {
    throwsNaming(() => data.randomSplit(ds, [700, 200]), 'lengths', '[700, 200]', '900', '1000');
  });
  it('fractions outside [0, 1] that sum to 1', () => {
    throwsNaming(() => data.randomSplit(ds, [1.5, -0.5]), 'lengths[0]', '1.5');
  });
  it('fractions that do not sum to 1 are counts, and fail as counts', () => {
    throwsNaming(() => data.randomSplit(ds, [0.5, 0.4]), 'lengths[0]', '0.5');
  });
  it('an empty list and a non-number', () => {
    throwsNaming(() => data.randomSplit(ds, []), 'lengths', '[]');
    throwsNaming(() => data.randomSplit(ds, [700, '300' as unknown as number]), 'lengths[1]', '"300"');
  });
  it('draws nothing when it throws', () => {
    const g = manualSeed(5);
    const before = JSON.stringify(g.getState());
    expect(() => data.randomSplit(ds, [700, 200])).toThrow();
    expect(JSON.stringify(g.getState())).toBe(before);
  });
});

describe('splitLoader', () => {
  const x = zeros(10, 2),
    y = zeros(10, 1);
  it.each([[0], [1], [1.5], [-0.2], [NaN]])('rate %s', (rate) => {
    throwsNaming(() => data.splitLoader(x, y, { rate }), 'rate', String(rate));
  });
  it.each([[0], [-2], [2.5]])('batchSize %s', (batchSize) => {
    throwsNaming(() => data.splitLoader(x, y, { batchSize }), 'batchSize', String(batchSize));
  });
  it('features and labels of different lengths', () => {
    throwsNaming(() => data.splitLoader(x, zeros(9, 1)), 'features', 'labels', '[10, 2]', '[9, 1]');
  });
});

describe('TensorDataset and DataLoader', () => {
  it('tensors of different lengths', () => {
    throwsNaming(() => new data.TensorDataset(zeros(10, 2), zeros(9, 1)), '10', 'tensor 1', '[9, 1]');
  });
  it('no tensors, or a 0-d tensor', () => {
    throwsNaming(() => new data.TensorDataset(), 'at least one tensor');
    throwsNaming(() => new data.TensorDataset(zeros(3), tensor(1)), 'tensor 1', '[]');
  });
  it.each([[0], [-1], [0.5]])('batchSize %s', (batchSize) => {
    throwsNaming(() => new data.DataLoader(rowDataset(5), { batchSize }), 'batchSize', String(batchSize));
  });
  it('shuffling an empty dataset, as PyTorch refuses', () => {
    const empty = new data.Subset(rowDataset(3), []);
    throwsNaming(() => new data.DataLoader(empty, { shuffle: true }), 'empty dataset', 'num_samples=0');
    expect([...new data.DataLoader(empty)]).toEqual([]);
  });
  it('a generator that is not a Generator, and a dataset that is not a Dataset', () => {
    throwsNaming(
      () => new data.DataLoader(rowDataset(3), { generator: 42 as unknown as Generator }),
      'opts.generator',
      'a Generator',
      'got 42',
    );
    throwsNaming(() => new data.DataLoader([1, 2, 3] as unknown as data.Dataset), 'dataset', 'object');
  });
});

describe('seeds', () => {
  it.each([
    [2n ** 64n, '18446744073709551616'],
    [-(2n ** 63n) - 1n, '-9223372036854775809'],
    [2 ** 64, '18446744073709552000'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
  ])('manualSeed(%s) is an error, not wrapped', (seed, shown) => {
    throwsNaming(() => manualSeed(seed), 'seed', shown);
    throwsNaming(() => new Generator(seed), 'seed', shown);
  });
  it("the edges of the range are accepted; a negative seed is its two's complement", () => {
    expect(manualSeed(2n ** 64n - 1n).initialSeed()).toBe(2n ** 64n - 1n);
    expect(manualSeed(-(2n ** 63n)).initialSeed()).toBe(2n ** 63n);
    expect(manualSeed(-1).initialSeed()).toBe(2n ** 64n - 1n);
  });
});

describe('fit', () => {
  it.each([[-1], [1.5]])('epochs %s', async (epochs) => {
    const model = new nn.MLP();
    const opts = {
      model,
      criterion: new nn.MSELoss(),
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      loader: [],
      epochs,
    };
    await expect(fit(opts)).rejects.toThrow(new RegExp(`epochs.*${lit(String(epochs))}`));
  });
});
