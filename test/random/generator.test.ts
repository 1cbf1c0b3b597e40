import { describe, expect, it } from 'vitest';
import { Generator, kaimingUniformBound, linearBiasBound } from '../../src/random';
import { expectSameF32, loadRngCases, maxUlp } from './helpers';

const cases = loadRngCases();
const num = (c: Record<string, unknown>, key: string) => c[key] as number[];

describe.each(cases.map((c) => [c.seed, c] as const))('PyTorch streams, seed %i', (seed, c) => {
  const fresh = () => new Generator(seed);

  it.each([1, 5, 15])('randn(%i), the double Box-Muller path, is bit-exact', (n) => {
    expectSameF32(fresh().normal(n), num(c, `randn_${n}`), `randn_${n}`);
  });

  it.each([16, 17, 40, 1000])('randn(%i), the vectorised float32 path, is bit-exact', (n) => {
    const got = fresh().normal(n);
    expect(maxUlp(got, num(c, `randn_${n}`))).toBe(0); // the bar is 2 ulps; we reach 0
    expectSameF32(got, num(c, `randn_${n}`), `randn_${n}`);
  });

  it('randn(1000, 2) then randn(1000, 1) continues the stream', () => {
    const [first, second] = c.randn_1000x2_then_randn_1000x1 as [number[], number[]];
    const g = fresh();
    expectSameF32(g.normal(2000), first, 'randn(1000,2)');
    expectSameF32(g.normal(1000), second, 'randn(1000,1)');
  });

  it('rand(7) and uniform_(-0.5, 0.5) are bit-exact', () => {
    expectSameF32(fresh().uniform(7), num(c, 'rand_7'), 'rand_7');
    expectSameF32(fresh().uniform(20, -0.5, 0.5), num(c, 'uniform_-0.5_0.5_x20'), 'uniform');
  });

  it('normal(2, 3, size=(33,)) (vectorised, with the tail window) is bit-exact', () => {
    expectSameF32(fresh().normal(33, 2, 3), num(c, 'normal_mean2_std3_x33'), 'normal(2,3)');
  });

  it.each([5, 700, 1000])('randperm(%i) is identical', (n) => {
    expect(fresh().randperm(n)).toEqual(num(c, `randperm_${n}`));
  });

  it('an int64 random_() then randn(3)', () => {
    const [int64, randn3] = c.int64_random_then_randn_3 as [string, number[]];
    const g = fresh();
    expect(g.randomInt64()).toBe(BigInt(int64));
    expectSameF32(g.normal(3), randn3, 'randn_3 after int64');
  });

  it('Linear(2,4), BatchNorm1d(4), Linear(4,1) default init draws', () => {
    const want = c.linear_2_4_then_bn_then_linear_4_1 as Record<string, number[]>;
    const g = fresh();
    const linear = (fanIn: number, fanOut: number) => {
      const w = kaimingUniformBound(fanIn);
      const b = linearBiasBound(fanIn);
      return { weight: g.uniform(fanOut * fanIn, -w, w), bias: g.uniform(fanOut, -b, b) };
    };
    const l1 = linear(2, 4); // BatchNorm1d draws nothing
    const l2 = linear(4, 1);
    expectSameF32(l1.weight, want['linear1.weight'], 'linear1.weight');
    expectSameF32(l1.bias, want['linear1.bias'], 'linear1.bias');
    expectSameF32(l2.weight, want['linear2.weight'], 'linear2.weight');
    expectSameF32(l2.bias, want['linear2.bias'], 'linear2.bias');
  });
});

describe('values computed by PyTorch 1.13 outside rng.json', () => {
  // /usr/bin/python3: torch.manual_seed(s); torch.normal(mean, std, size=(n,)).tolist()
  it('normal(2.5, 0.3, size=(13,)): the double path applies mean/std with a double FMA', () => {
    const want = [
      2.3539657592773438, 2.3188536167144775, 2.332571029663086, 2.7002573013305664, 2.4407753944396973,
      3.0828349590301514, 2.0794894695281982, 2.271232843399048, 2.689363956451416, 2.230259418487549,
      2.3326618671417236, 2.7072155475616455, 2.566737651824951,
    ];
    expectSameF32(new Generator(5).normal(13, 2.5, 0.3), want, 'normal(2.5,0.3) n=13');
  });

  it('normal(-1.3, 0.37, size=(21,)): the vectorised path with a 5-value tail window', () => {
    const want = [
      -0.618337869644165, -1.1080117225646973, -1.933410882949829, -1.9295103549957275, -0.552814781665802,
      -1.5226532220840454, -1.2463505268096924, -1.3554359674453735, -0.3326064348220825, -1.4605884552001953,
      -1.1696358919143677, -1.3238840103149414, -1.0156071186065674, -1.1172058582305908, -1.2077889442443848,
      -0.6535983085632324, -1.0244324207305908, -1.2882869243621826, -1.7337932586669922, -1.8575679063796997,
      -1.354798674583435,
    ];
    expectSameF32(new Generator(5).normal(21, -1.3, 0.37), want, 'normal(-1.3,0.37) n=21');
  });

  it('torch.manual_seed(-1): initial_seed 2^64 - 1, then randn(3)', () => {
    const g = new Generator(-1);
    expect(g.initialSeed()).toBe(18446744073709551615n);
    expectSameF32(g.normal(3), [1.2197630405426025, -0.3929794728755951, 1.0230751037597656], 'randn(3)');
  });
});

describe('Generator basics', () => {
  it('random64 puts the first 32-bit draw in the high word; randomInt64 drops bit 63', () => {
    const a = new Generator(99);
    const b = new Generator(99);
    const hi = BigInt(a.random());
    const lo = BigInt(a.random());
    const r64 = b.random64();
    expect(r64).toBe((hi << 32n) | lo);
    const c = new Generator(99);
    expect(c.randomInt64()).toBe(r64 % (1n << 63n));
  });

  it('uses the default seed 67280421310721 when none is given', () => {
    const g = new Generator();
    expect(g.initialSeed()).toBe(67280421310721n);
    // torch.manual_seed(67280421310721); torch.rand(4)
    const want = [0.267295241355896, 0.8725283145904541, 0.3352888226509094, 0.4030158519744873];
    expectSameF32(g.uniform(4), want, 'rand(4) with the default seed');
    // Only the low 32 bits seed MT19937: 67280421310721 mod 2^32 = 4053586177
    expect(Array.from(new Generator(4053586177).uniform(4))).toEqual(Array.from(new Generator().uniform(4)));
  });

  it('reinterprets a negative int64 seed as uint64, like torch.initial_seed()', () => {
    expect(new Generator(-1).initialSeed()).toBe(2n ** 64n - 1n);
    expect(new Generator(-(2n ** 63n)).initialSeed()).toBe(2n ** 63n);
    expect(new Generator(2n ** 64n - 1n).initialSeed()).toBe(2n ** 64n - 1n);
    expect(new Generator(-1).randperm(50)).toEqual(new Generator(2 ** 32 - 1).randperm(50));
  });

  it('rejects a non-integer or out-of-range seed, naming seed, value and range', () => {
    const g = new Generator(0);
    const range = '\\[-\\(2\\^63\\), 2\\^64 - 1\\]';
    expect(() => g.manualSeed(1.5)).toThrow(new RegExp(`seed .*${range}.*got 1\\.5$`));
    expect(() => g.manualSeed(2 ** 64)).toThrow(new RegExp(`seed .*${range}.*got 18446744073709552000$`));
    expect(() => g.manualSeed(-(2n ** 63n) - 1n)).toThrow(new RegExp(`seed .*${range}.*got -9223372036854775809$`));
    expect(() => g.manualSeed(Number.NaN)).toThrow(new RegExp(`seed .*${range}.*got NaN$`));
    expect(() => g.manualSeed(2n ** 64n)).toThrow(/got 18446744073709551616$/);
    // the failed calls left the generator as it was
    expect(g.initialSeed()).toBe(0n);
    expect(Array.from(g.uniform(3))).toEqual(Array.from(new Generator(0).uniform(3)));
  });

  it('manualSeed clears the cached normal', () => {
    const g = new Generator(3);
    const pair = Array.from(g.normal(2)); // one Box-Muller pair: the second came from the cache
    g.normal(1); // leaves a cached value behind
    g.manualSeed(3);
    expect(Array.from(g.normal(2))).toEqual(pair);
  });

  it('getState/setState round-trips through JSON and continues the identical stream', () => {
    const g = new Generator(2024);
    g.normal(3); // odd count: a cached double normal is pending
    const state = g.getState();
    expect(state.nextDoubleNormal).not.toBeNull();
    const json = JSON.stringify(state);
    const ahead = [g.normal(1), g.normal(5), g.normal(40), g.uniform(9, -2, 3), g.randperm(30), [g.randomInt64()]];

    const h = new Generator(1);
    h.setState(JSON.parse(json));
    expect(h.initialSeed()).toBe(2024n);
    const again = [h.normal(1), h.normal(5), h.normal(40), h.uniform(9, -2, 3), h.randperm(30), [h.randomInt64()]];
    expect(again.map((x) => Array.from(x as ArrayLike<unknown>))).toEqual(
      ahead.map((x) => Array.from(x as ArrayLike<unknown>)),
    );
    expect(() => h.setState({ ...state, seed: '-5' })).toThrow(/seed must be a uint64/);
  });

  it('rejects bad arguments', () => {
    const g = new Generator(0);
    expect(() => g.uniform(3, 1, 0)).toThrow(/low <= high/);
    expect(() => g.normal(3, 0, -1)).toThrow(/std >= 0/);
    expect(() => g.randperm(-1)).toThrow(/non-negative integer/);
    expect(() => g.normal(2.5)).toThrow(/non-negative integer/);
  });
});
