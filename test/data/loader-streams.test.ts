/**
 * random_split and DataLoader through the public API, against PyTorch 1.13:
 * test/fixtures/rng.json (split indices and three shuffled epochs, seeds 0, 420, 24)
 * and test/fixtures/data-lesson.json (stream positions, drop_last, explicit generators,
 * fraction lengths; tools/gen_data_fixtures.py).
 */
import { describe, expect, it } from 'vitest';
import { data, defaultGenerator, Generator, manualSeed } from '../../src';
import { loadFixture } from '../helpers/fixtures';
import { epochBatches, loadLesson, rowDataset } from './helpers';

const rng = loadFixture<{ cases: any[] }>('rng.json').cases;
const lesson = loadLesson();
/** The next int64 of the global generator, as PyTorch's fixture writes it: where the stream stands. */
const nextInt64 = () => defaultGenerator.randomInt64().toString();

describe.each(rng.map((c) => [c.seed as number, c] as const))('rng.json through the public API, seed %i', (seed, c) => {
  it("randomSplit(TensorDataset of arange(1000) rows, [700, 300]) gives PyTorch's subsets", () => {
    manualSeed(seed);
    const [train, test] = data.randomSplit(rowDataset(1000), [700, 300]);
    expect(train.indices).toEqual(c.random_split_1000_700_300.train);
    expect(test.indices).toEqual(c.random_split_1000_700_300.test);
    expect(train.length).toBe(700);
    expect(test.length).toBe(300);
  });

  it("a shuffled DataLoader (batch 10) over the 700-row subset yields PyTorch's rows for 3 epochs", () => {
    manualSeed(seed);
    const [train] = data.randomSplit(rowDataset(1000), [700, 300]);
    const loader = new data.DataLoader(train, { batchSize: 10, shuffle: true });
    expect(loader.dataset).toBe(train);
    expect(loader.length).toBe(70);
    const epochs = [0, 1, 2].map(() => {
      const batches = epochBatches(loader);
      expect(batches.map((b) => b.length)).toEqual(Array(70).fill(10));
      return batches.flat();
    });
    expect(epochs).toEqual(c.shuffled_loader_rows_3_epochs);
  });
});

const loaderCases: (readonly [number, any])[] = lesson.loaders.map((r: any) => [r.seed as number, r] as const);

describe.each(loaderCases)('DataLoader stream use vs PyTorch, seed %i', (seed, r) => {
  const ds = rowDataset(25);

  it('an unshuffled loader yields rows in order and still draws one int64 (the base seed) per epoch', () => {
    manualSeed(seed);
    const plain = new data.DataLoader(ds, { batchSize: 10 });
    const epochs = [epochBatches(plain), epochBatches(plain)];
    expect(epochs).toEqual(r.plainEpochs);
    expect(epochs[0]).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
      [20, 21, 22, 23, 24],
    ]);
    expect(nextInt64()).toBe(r.afterPlain2Epochs);
  });

  it('the two draws of a shuffled epoch: the base seed at iteration start, the shuffle seed at the first batch', () => {
    const loader = new data.DataLoader(ds, { batchSize: 10, shuffle: true });
    manualSeed(seed);
    loader[Symbol.iterator]();
    expect(nextInt64()).toBe(r.afterShuffledIterOnly);
    manualSeed(seed);
    loader[Symbol.iterator]().next();
    expect(nextInt64()).toBe(r.afterShuffledFirstBatch);
  });

  it('a shuffled loader (25 rows, batch 10): the batches of two epochs and the stream after them', () => {
    manualSeed(seed);
    const loader = new data.DataLoader(ds, { batchSize: 10, shuffle: true });
    expect([epochBatches(loader), epochBatches(loader)]).toEqual(r.shuffledEpochs);
    expect(nextInt64()).toBe(r.afterShuffled2Epochs);
  });

  it('dropLast drops the short last batch, shuffled or not, and draws the same', () => {
    manualSeed(seed);
    const shuffled = new data.DataLoader(ds, { batchSize: 10, shuffle: true, dropLast: true });
    expect(shuffled.length).toBe(2);
    expect([epochBatches(shuffled), epochBatches(shuffled)]).toEqual(r.dropLastShuffledEpochs);
    expect(nextInt64()).toBe(r.afterShuffled2Epochs); // same draws as without dropLast
    const plain = new data.DataLoader(ds, { batchSize: 10, dropLast: true });
    expect(plain.length).toBe(2);
    expect(epochBatches(plain)).toEqual(r.dropLastPlain);
    expect(new data.DataLoader(ds, { batchSize: 10 }).length).toBe(3);
    expect(epochBatches(new data.DataLoader(ds, { batchSize: 25, dropLast: true }))).toEqual([[...Array(25).keys()]]);
    expect(epochBatches(new data.DataLoader(ds, { batchSize: 30, dropLast: true }))).toEqual([]);
  });

  it('a loader with its own generator takes the base seed and randperm from it and leaves the global stream alone', () => {
    const g = new Generator(seed + 5);
    manualSeed(seed);
    const loader = new data.DataLoader(ds, { batchSize: 10, shuffle: true, generator: g });
    expect([epochBatches(loader), epochBatches(loader)]).toEqual(r.generatorLoaderEpochs);
    expect(nextInt64()).toBe(r.globalAfterGeneratorLoader);
    expect(g.randomInt64().toString()).toBe(r.generatorAfter);
  });

  it('with its own generator, the discarded second randperm is drawn only when the sampler runs out', () => {
    const loader = (g: Generator) =>
      new data.DataLoader(rowDataset(20), { batchSize: 10, shuffle: true, generator: g });
    let g = new Generator(seed);
    const it = loader(g)[Symbol.iterator]();
    expect(it.next().done).toBe(false);
    expect(it.next().done).toBe(false);
    expect(g.randomInt64().toString()).toBe(r.generatorAfterTwoOfTwoBatches);
    g = new Generator(seed);
    expect(epochBatches(loader(g))).toEqual(r.generatorLoaderFullEpoch20);
    expect(g.randomInt64().toString()).toBe(r.generatorAfterFullEpoch20);
  });

  it('randomSplit with fractions: floors, the remainder handed out from the first subset, on either stream', () => {
    manualSeed(seed);
    expect(data.randomSplit(rowDataset(11), [0.5, 0.3, 0.2]).map((s) => s.indices)).toEqual(
      r['fractionSplit_11_[0.5,0.3,0.2]'],
    );
    const parts = data.randomSplit(rowDataset(10), [0.7, 0.2, 0.1], { generator: new Generator(seed) });
    expect(parts.map((s) => s.indices)).toEqual(r['fractionSplitGenerator_10_[0.7,0.2,0.1]']);
  });
});

describe('Subset and TensorDataset', () => {
  it('a subset of a subset maps rows through both index lists', () => {
    const ds = rowDataset(10);
    const outer = new data.Subset(ds, [9, 7, 5, 3, 1]);
    const inner = new data.Subset(outer, [4, 0, 2]);
    const [x, y] = inner.rows([0, 1, 2]);
    expect(Array.from(x.data)).toEqual([1, 9, 5]);
    expect(Array.from(y.data)).toEqual([1, 9, 5]);
    expect(data.allRows(inner).map((t) => Array.from(t.data))).toEqual([
      [1, 9, 5],
      [1, 9, 5],
    ]);
    expect(epochBatches(new data.DataLoader(inner, { batchSize: 2 }))).toEqual([[1, 9], [5]]);
  });

  it('batches keep the trailing dimensions and carry no graph', () => {
    const ds = rowDataset(6);
    const [x, y] = ds.rows([5, 0]);
    expect(x.shape).toEqual([2, 1]);
    expect(y.shape).toEqual([2, 1]);
    expect(x.requiresGrad).toBe(false);
    expect(ds.length).toBe(6);
  });
});
