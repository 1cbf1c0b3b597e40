/**
 * State that keeps NaN, ±Infinity and -0. What must hold: a state dict's JSON
 * round trip is bit-exact for every float32 (non-finite values as "NaN",
 * "Infinity", "-Infinity", -0 as "-0"); loading is strict and names the key,
 * the element and the real mismatch; and a run whose BatchNorm running
 * statistics become non-finite stops with an error (exit 1) instead of finishing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, nn, optim } from '../../src/index';
import { splitLoader, tensorGenReg } from '../../src/data';
import type { Pipeline } from '../../src/experiments';
import { runCommand } from '../../src/cli/run';
import { decodeNumbers, encodeNumbers, stateDictFromJSON, stateDictToJSON } from '../../src/cli/statedict';
import { tmp } from './helpers';

afterEach(() => vi.restoreAllMocks());

const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('state dict JSON', () => {
  it('round-trips every float32 bit pattern but NaN payloads (fast-check), through the library and the strict reader', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 8, maxLength: 8 }), (w) => {
        const m = new nn.Linear(2, 4);
        m.weight.data.set(w);
        const text = JSON.stringify(stateDictToJSON(m.stateDict()));
        const back = new nn.Linear(2, 4);
        back.loadStateDict(JSON.parse(text) as Record<string, unknown>);
        expect(bits(back.weight.data)).toEqual(bits(m.weight.data));
        const strict = stateDictFromJSON(JSON.parse(text), m.stateDict(), 'pre.json');
        expect(bits((strict.weight as { data: Float32Array }).data)).toEqual(bits(m.weight.data));
      }),
      { numRuns: 200 },
    );
  });

  it('writes NaN, ±Infinity and -0 as documented strings', () => {
    const m = new nn.Linear(1, 4, { bias: false });
    m.weight.data.set([NaN, Infinity, -Infinity, -0]);
    expect(stateDictToJSON(m.stateDict()).weight).toEqual({
      shape: [4, 1],
      data: ['NaN', 'Infinity', '-Infinity', '-0'],
    });
  });

  it.each([
    ['"abc"', 'abc'],
    ['true', true],
    ['[7]', [7]],
    ['null', null],
    ['"nan"', 'nan'],
  ])('loadStateDict refuses an element %s, naming the key and the element, and changes nothing', (shown, bad) => {
    const m = new nn.Linear(2, 2);
    const before = Array.from(m.weight.data);
    const sd = stateDictToJSON(m.stateDict()) as Record<string, { shape: number[]; data: unknown[] }>;
    sd.weight.data[3] = bad;
    expect(() => m.loadStateDict(sd)).toThrow(
      `weight: data[3] must be a number or "NaN", "Infinity", "-Infinity", "-0", got ${shown}`,
    );
    expect(Array.from(m.weight.data)).toEqual(before);
    expect(() => stateDictFromJSON(sd, m.stateDict(), 'state/x.json')).toThrow(
      `state/x.json: key "weight": data[3] must be a number`,
    );
  });

  it('a data-length mismatch says the lengths, not two equal shapes', () => {
    const m = new nn.Linear(2, 2);
    const sd = stateDictToJSON(m.stateDict()) as Record<string, { shape: number[]; data: unknown[] }>;
    sd.weight.data.pop();
    expect(() => m.loadStateDict(sd)).toThrow('weight: shape [2, 2] needs 4 values, data has 3');
    expect(() => stateDictFromJSON(sd, m.stateDict(), 'f')).toThrow(
      'f: key "weight": shape [2, 2] needs 4 values, data has 3',
    );
  });
});

/** bn-placement's 'pre' model on features scaled by 1e30: the batch variance overflows float32. */
const huge: Pipeline<{ epochs: number; seed: number; lr: number; batchSize: number }> = {
  name: 'huge',
  summary: 'features of 1e30',
  metric: 'MSE',
  defaults: { epochs: 3, seed: 420, lr: 0.03, batchSize: 10 },
  setup(p) {
    manualSeed(p.seed);
    const [features, labels] = tensorGenReg({ numExamples: 100, w: [2, -1], bias: false, deg: 2 });
    const [train, test] = splitLoader(features.mul(1e30), labels, { batchSize: p.batchSize });
    manualSeed(24);
    const models = [new nn.MLP({ inFeatures: 2, hidden: [4], outFeatures: 1, bn: 'pre', activation: 'relu' })];
    return Promise.resolve([{ models, names: ['pre'], train, test }]);
  },
};

describe('non-finite running statistics', () => {
  it('stop the run with an error naming the model, the buffer and the value (exit 1); the checkpoint is from before', async () => {
    const dir = tmp();
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    const code = await runCommand({ pipeline: 'huge', json: true, out: dir }, { huge }, false);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(err).toMatch(
      /^rxnn: epoch 1, step 7 \(model 'pre'\): running statistic normalize1\.running_var\[\d\] is Infinity; eval-mode outputs would be wrong, so the run stops/,
    );
    const cp = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { next: unknown; finished: boolean };
    expect(cp).toMatchObject({ next: { experiment: 0, epoch: 1 }, finished: false });
  });
});

describe("an optimizer's state through the checkpoint's JSON", () => {
  it('keeps NaN, ±Infinity and -0 in momentum buffers, bit for bit', () => {
    manualSeed(3);
    const model = new nn.Linear(2, 2);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const buffers = [
      [NaN, Infinity, -Infinity, -0],
      [1.5, -0, NaN, 2],
    ];
    opt.loadStateDict({ lr: 0.1, momentumBuffers: [buffers[0], buffers[1].slice(0, 2)] });
    const text = JSON.stringify(encodeNumbers(opt.stateDict()));
    expect(text).toContain('"NaN"');
    expect(text).not.toContain('null');
    const back = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
    back.loadStateDict(decodeNumbers(JSON.parse(text)) as ReturnType<typeof opt.stateDict>);
    const got = back.stateDict().momentumBuffers;
    expect(got[0]!.map((v, i) => Object.is(v, buffers[0][i]))).toEqual([true, true, true, true]);
    expect(got[1]!.map((v, i) => Object.is(v, buffers[1][i]))).toEqual([true, true]);
    expect(back.stateDict().lr).toBe(0.1);
  });

  it('leaves other values as they are', () => {
    const state = { name: 'sgd', steps: 3, flags: [true, null], nested: { x: 'text' } };
    expect(decodeNumbers(JSON.parse(JSON.stringify(encodeNumbers(state))))).toEqual(state);
  });
});
