import { beforeEach, describe, expect, it } from 'vitest';
import { Generator, defaultGenerator, manualSeed } from '../../src/random';
import { loadRngCases } from './helpers';

/**
 * What torch.utils.data draws from the global generator, reproduced at generator level:
 * random_split is one randperm on the global generator; each epoch of a shuffled
 * DataLoader draws a base seed (an int64 random_(), unused without workers), then the
 * RandomSampler draws a second int64 that seeds a fresh Generator for its randperm.
 */
function randomSplit(total: number, first: number): { train: number[]; test: number[] } {
  const perm = defaultGenerator.randperm(total);
  return { train: perm.slice(0, first), test: perm.slice(first) };
}

function shuffledEpoch(subsetIndices: number[]): number[] {
  defaultGenerator.randomInt64(); // the loader iterator's _base_seed
  const samplerSeed = defaultGenerator.randomInt64();
  const order = new Generator(samplerSeed).randperm(subsetIndices.length);
  return order.map((k) => subsetIndices[k]); // row k of the subset is dataset row subsetIndices[k]
}

const cases = loadRngCases();

describe.each(cases.map((c) => [c.seed, c] as const))('data streams on the global generator, seed %i', (seed, c) => {
  beforeEach(() => {
    manualSeed(seed);
  });

  it('random_split(1000 rows, [700, 300]) is identical', () => {
    const want = c.random_split_1000_700_300 as { train: number[]; test: number[] };
    const got = randomSplit(1000, 700);
    expect(got.train).toEqual(want.train);
    expect(got.test).toEqual(want.test);
  });

  it('a shuffled DataLoader over the 700-row split yields the same rows for 3 epochs', () => {
    const want = c.shuffled_loader_rows_3_epochs as number[][];
    const { train } = randomSplit(1000, 700);
    const epochs = [shuffledEpoch(train), shuffledEpoch(train), shuffledEpoch(train)];
    expect(epochs).toEqual(want);
    expect(new Set(epochs[0]).size).toBe(700); // each epoch is a permutation of the split
    expect(epochs[1]).not.toEqual(epochs[0]);
  });
});

describe('manualSeed', () => {
  it('seeds the global generator and returns it', () => {
    expect(manualSeed(420)).toBe(defaultGenerator);
    expect(defaultGenerator.initialSeed()).toBe(420n);
    expect(defaultGenerator.randperm(5)).toEqual(new Generator(420).randperm(5));
  });
});
