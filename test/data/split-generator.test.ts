/**
 * splitLoader's `generator`: the split and the training shuffles come from it
 * (as random_split's and DataLoader's generator= in PyTorch), and both loaders'
 * per-epoch seeds, so pipelines
 * that run side by side in one process, each with its own, get the batches
 * they get alone, and the global generator is left alone.
 */
import { describe, expect, it } from 'vitest';
import { arange, data, defaultGenerator, Generator, manualSeed } from '../../src';
import { epochBatches } from './helpers';

const rows = (n: number) => arange(n).reshape(n, 1);

/** The split (test rows) and three epochs of training batches of a splitLoader on `g`. */
function alone(seed: number) {
  const [train, test] = data.splitLoader(rows(50), rows(50), { batchSize: 7, generator: new Generator(seed) });
  const epochs = [0, 1, 2].map(() => epochBatches(train));
  return { epochs, test: epochBatches(test).flat() };
}

describe('splitLoader({ generator })', () => {
  it('draws the split and the shuffles from it as randomSplit and DataLoader do with that generator', () => {
    const [train, test] = data.splitLoader(rows(50), rows(50), { batchSize: 7, generator: new Generator(3) });
    const g = new Generator(3);
    const [tr, te] = data.randomSplit(new data.TensorDataset(rows(50), rows(50)), [35, 15], { generator: g });
    const loader = new data.DataLoader(tr, { batchSize: 7, shuffle: true, generator: g });
    const testLoader = new data.DataLoader(te, { batchSize: 7, generator: g });
    expect(epochBatches(train)).toEqual(epochBatches(loader));
    const testRows = epochBatches(test);
    expect(testRows).toEqual(epochBatches(testLoader));
    expect(testRows.flat()).toEqual(te.indices);
    expect(epochBatches(train)).toEqual(epochBatches(loader));
  });

  it('two pipelines interleaved in one process get the batches each gets alone; the global generator is untouched', () => {
    const a = alone(1),
      b = alone(2);
    manualSeed(7);
    const before = defaultGenerator.getState();
    const [trainA, testA] = data.splitLoader(rows(50), rows(50), { batchSize: 7, generator: new Generator(1) });
    const [trainB, testB] = data.splitLoader(rows(50), rows(50), { batchSize: 7, generator: new Generator(2) });
    const epochsA: number[][][] = [];
    const epochsB: number[][][] = [];
    for (let e = 0; e < 3; e++) {
      // Batch by batch, alternating, as two live pipelines would.
      const ia = trainA[Symbol.iterator](),
        ib = trainB[Symbol.iterator]();
      const ea: number[][] = [],
        eb: number[][] = [];
      for (let ra = ia.next(), rb = ib.next(); !ra.done || !rb.done; ra = ia.next(), rb = ib.next()) {
        if (!ra.done) ea.push(Array.from(ra.value[0].data));
        if (!rb.done) eb.push(Array.from(rb.value[0].data));
      }
      epochsA.push(ea);
      epochsB.push(eb);
    }
    expect({ epochs: epochsA, test: epochBatches(testA).flat() }).toEqual(a);
    expect({ epochs: epochsB, test: epochBatches(testB).flat() }).toEqual(b);
    expect(defaultGenerator.getState()).toEqual(before);
  });

  it('without a generator it draws from the global one, as the lesson does', () => {
    manualSeed(420);
    const [train] = data.splitLoader(rows(50), rows(50), { batchSize: 7 });
    const first = epochBatches(train);
    manualSeed(420);
    const [again] = data.splitLoader(rows(50), rows(50), { batchSize: 7 });
    expect(epochBatches(again)).toEqual(first);
  });
});
