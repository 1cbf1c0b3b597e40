import { describe, expect, it } from 'vitest';
import { MT19937, MT_N } from '../../src/random';

// Reference outputs from C++ std::mt19937 (libstdc++), which uses the same seeding.
describe('MT19937', () => {
  it('matches std::mt19937 with the default seed 5489', () => {
    const mt = new MT19937(5489);
    const first = Array.from({ length: 5 }, () => mt.nextU32());
    expect(first).toEqual([3499211612, 581869302, 3890346734, 3586334585, 545404204]);
    for (let i = 6; i < 10000; i++) mt.nextU32();
    expect(mt.nextU32()).toBe(4123659995); // the 10000th output, the C++ standard's check value
  });

  it('matches std::mt19937(420) across a twist boundary', () => {
    const mt = new MT19937(420);
    expect([mt.nextU32(), mt.nextU32(), mt.nextU32()]).toEqual([1355688881, 2184377416, 1945751942]);
    for (let i = 4; i < 1249; i++) mt.nextU32();
    expect(mt.nextU32()).toBe(4062354308); // the 1249th output: two twists in
  });

  it('matches numpy RandomState(0) (seeded the same way for a 32-bit seed)', () => {
    const mt = new MT19937(0);
    expect([mt.nextU32(), mt.nextU32(), mt.nextU32()]).toEqual([2357136044, 2546248239, 3071714933]);
  });

  it('restores a saved state and repeats the identical stream, also at the twist boundary', () => {
    for (const skip of [0, 1, 623, 624, 625, 1000]) {
      const mt = new MT19937(7);
      for (let i = 0; i < skip; i++) mt.nextU32();
      const saved = JSON.parse(JSON.stringify(mt.getState()));
      expect(saved.words).toHaveLength(MT_N);
      const ahead = Array.from({ length: 700 }, () => mt.nextU32());
      const other = new MT19937(12345);
      other.setState(saved);
      expect(Array.from({ length: 700 }, () => other.nextU32())).toEqual(ahead);
    }
  });

  it('rejects a malformed state', () => {
    const mt = new MT19937(1);
    const good = mt.getState();
    expect(() => mt.setState({ words: good.words.slice(1), index: 0 })).toThrow(/624 words, got 623/);
    expect(() => mt.setState({ words: good.words, index: 625 })).toThrow(/index .* got 625/);
    const bad = good.words.slice();
    bad[3] = 2 ** 32;
    expect(() => mt.setState({ words: bad, index: 0 })).toThrow(/word 3 .* got 4294967296/);
  });
});
