/**
 * Bad input to public functions, generated with fast-check from the
 * neighbours of their TypeScript signatures: wrong types, NaN, ±Infinity, -0,
 * empty, huge. What must hold for every value a signature does not admit: the
 * call throws (nothing is coerced), the message names the argument and shows
 * the value, and the tensor it was called on is unchanged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arange, data, full, nn, randn, rx, tensor, zeros, type Tensor } from '../../src/index';
import { show } from '../../src/validate';

/** The neighbours of a signature's types. */
const NEIGHBOURS: unknown[] = [
  '1',
  'x',
  '',
  null,
  undefined,
  true,
  false,
  {},
  [],
  [1],
  ['1'],
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1,
  -1,
  0.5,
  1e300,
  2 ** 53,
  1n,
  new Float32Array(2),
  () => 1,
];
const value = fc.constantFrom(...NEIGHBOURS);

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isTensor = (v: unknown): boolean => typeof v === 'object' && v !== null && 'shape' in v && 'storage' in v;
const isPlain = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isDim = (v: unknown): boolean => isInt(v) && v >= 0 && v <= 2 ** 32;

interface Case {
  /** The argument the message must name. */
  arg: string;
  call: (v: unknown) => unknown;
  /** The values the signature admits (the call may still throw for them, for other reasons). */
  admits: (v: unknown) => boolean;
}

/** A fresh [2]-tensor per call, so that "unchanged" can be checked. */
let t: Tensor;
const fresh = (): Tensor => (t = tensor([1, 2]));

const CASES: Record<string, Case> = {
  'tensor(values)': {
    arg: 'values',
    call: (v) => tensor(v as number[]),
    admits: (v) => typeof v === 'number' || Array.isArray(v) || ArrayBuffer.isView(v),
  },
  'tensor([1, v], {shape: [2]})': {
    arg: 'values[1]',
    call: (v) => tensor([1, v] as number[], { shape: [2] }),
    admits: (v) => typeof v === 'number' || Array.isArray(v),
  },
  'tensor([1], opts)': {
    arg: 'opts',
    call: (v) => tensor([1], v as object),
    admits: (v) => v === undefined || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  'tensor([1], {requiresGrad})': {
    arg: 'opts.requiresGrad',
    call: (v) => tensor([1], { requiresGrad: v as boolean }),
    admits: (v) => v === undefined || typeof v === 'boolean',
  },
  'full([2], value)': { arg: 'value', call: (v) => full([2], v as number), admits: (v) => typeof v === 'number' },
  'full(shape, 1)': {
    arg: 'shape',
    call: (v) => full(v as number[], 1),
    admits: (v) => Array.isArray(v) && v.every(isDim),
  },
  'zeros(n)': {
    arg: 'shape',
    call: (v) => zeros(v as number),
    admits: (v) => isDim(v) || (Array.isArray(v) && v.every(isDim)),
  },
  'randn(n)': {
    arg: 'shape',
    call: (v) => randn(v as number),
    admits: (v) => isDim(v) || isPlain(v) || (Array.isArray(v) && v.every(isDim)),
  },
  'arange(end)': {
    arg: 'end',
    call: (v) => arange(v as number),
    admits: (v) => typeof v === 'number' && v >= 0 && v < 2 ** 32,
  },
  't.add(other)': {
    arg: 'other',
    call: (v) => fresh().add(v as number),
    admits: (v) => typeof v === 'number' || isTensor(v),
  },
  't.sub(other)': {
    arg: 'other',
    call: (v) => fresh().sub(v as number),
    admits: (v) => typeof v === 'number' || isTensor(v),
  },
  't.mul(other)': {
    arg: 'other',
    call: (v) => fresh().mul(v as number),
    admits: (v) => typeof v === 'number' || isTensor(v),
  },
  't.div(other)': {
    arg: 'other',
    call: (v) => fresh().div(v as number),
    admits: (v) => typeof v === 'number' || isTensor(v),
  },
  't.gt(other)': {
    arg: 'other',
    call: (v) => fresh().gt(v as number),
    admits: (v) => typeof v === 'number' || isTensor(v),
  },
  't.pow(exponent)': { arg: 'exponent', call: (v) => fresh().pow(v as number), admits: (v) => typeof v === 'number' },
  't.matmul(other)': { arg: 'other', call: (v) => fresh().matmul(v as Tensor), admits: isTensor },
  't.sum(dim)': {
    arg: 'dim',
    call: (v) => fresh().sum(v as number),
    admits: (v) => v === undefined || v === 0 || v === -1 || (Array.isArray(v) && v.every((d) => d === 0 || d === -1)),
  },
  't.mean(dim)': {
    arg: 'dim',
    call: (v) => fresh().mean(v as number),
    admits: (v) => v === undefined || v === 0 || v === -1 || (Array.isArray(v) && v.every((d) => d === 0 || d === -1)),
  },
  't.sum(0, {keepdim})': {
    arg: 'keepdim',
    call: (v) => fresh().sum(0, { keepdim: v as boolean }),
    admits: (v) => v === undefined || typeof v === 'boolean',
  },
  't.softmax(dim)': { arg: 'dim', call: (v) => fresh().softmax(v as number), admits: (v) => v === 0 || v === -1 },
  't.indexSelect(index)': {
    arg: 'index',
    call: (v) => fresh().indexSelect(v as number[]),
    admits: (v) => Array.isArray(v) && v.every((i) => i === 0 || i === 1),
  },
  't.reshape(shape)': {
    arg: 'shape',
    call: (v) => fresh().reshape(v as number),
    admits: (v) => v === 2 || v === -1 || (Array.isArray(v) && v.length === 1 && (v[0] === 2 || v[0] === -1)),
  },
  'new Linear(inFeatures, 2)': {
    arg: 'inFeatures',
    call: (v) => new nn.Linear(v as number, 2),
    admits: (v) => isInt(v) && v > 0 && v < 1e6,
  },
  'new Linear(2, 2, opts)': {
    arg: 'opts',
    call: (v) => new nn.Linear(2, 2, v as object),
    admits: (v) => v === undefined || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  'linear.forward(x)': { arg: 'input', call: (v) => new nn.Linear(2, 2).forward(v as Tensor), admits: isTensor },
  'new DataLoader(ds, {shuffle})': {
    arg: 'opts.shuffle',
    call: (v) => new data.DataLoader(new data.TensorDataset(zeros(4, 1)), { shuffle: v as boolean }),
    admits: (v) => v === undefined || typeof v === 'boolean',
  },
  'new DataLoader(ds, {batchSize})': {
    arg: 'opts.batchSize',
    call: (v) => new data.DataLoader(new data.TensorDataset(zeros(4, 1)), { batchSize: v as number }),
    admits: (v) => v === undefined || (isInt(v) && v > 0),
  },
  'new DataLoader(ds, opts)': {
    arg: 'opts',
    call: (v) => new data.DataLoader(new data.TensorDataset(zeros(4, 1)), v as object),
    admits: (v) => v === undefined || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  'splitLoader(f, l, {rate})': {
    arg: 'opts.rate',
    call: (v) => data.splitLoader(zeros(10, 1), zeros(10, 1), { rate: v as number }),
    admits: (v) => v === undefined || (typeof v === 'number' && v >= 0.1 && v < 1),
  },
  'splitLoader(f, l, {batchSize})': {
    arg: 'opts.batchSize',
    call: (v) => data.splitLoader(zeros(10, 1), zeros(10, 1), { batchSize: v as number }),
    admits: (v) => v === undefined || (isInt(v) && v > 0),
  },
  'splitLoader(f, l, opts)': {
    arg: 'opts',
    call: (v) => data.splitLoader(zeros(10, 1), zeros(10, 1), v as object),
    admits: (v) => v === undefined || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  'splitLoader(f, labels)': {
    arg: 'labels',
    call: (v) => data.splitLoader(zeros(10, 1), v as Tensor),
    admits: isTensor,
  },
  'tensorGenReg(opts)': {
    arg: 'opts',
    call: (v) => data.tensorGenReg(v as object),
    admits: (v) => v === undefined || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  'tensorGenReg({numExamples})': {
    arg: 'numExamples',
    call: (v) => data.tensorGenReg({ numExamples: v as number }),
    admits: (v) => v === undefined || (isInt(v) && v > 0),
  },
  'tensorGenCla({bias})': {
    arg: 'opts.bias',
    call: (v) => data.tensorGenCla({ numExamples: 2, bias: v as boolean }),
    admits: (v) => v === undefined || typeof v === 'boolean',
  },
};

/** The message shows the value: as show() prints it, or (numbers) as JavaScript does. */
const showsValue = (message: string, v: unknown): boolean =>
  message.includes(show(v)) || (typeof v === 'number' && message.includes(String(v)));

describe('bad input to public functions: an error naming the argument and the value, nothing coerced, state unchanged', () => {
  it.each(Object.entries(CASES))('%s', (_name, c) => {
    fc.assert(
      fc.property(value, (v) => {
        if (c.admits(v)) return;
        let thrown: unknown;
        try {
          c.call(v);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, `no error for ${show(v)}`).toBeInstanceOf(Error);
        const message = (thrown as Error).message;
        expect(message, `${show(v)}`).toContain(c.arg);
        if (typeof v !== 'object' || v === null)
          expect(showsValue(message, v), `${message} shows ${show(v)}`).toBe(true);
        if (t) expect(Array.from(t.data)).toEqual([1, 2]);
      }),
      { numRuns: NEIGHBOURS.length * 3 },
    );
  });

  it('huge sizes are named, not "Invalid typed array length"', () => {
    expect(() => randn(1e5, 1e5)).toThrow(
      'randn: shape must be at most 4294967296 elements in all (it has 10000000000), got [100000, 100000]',
    );
    expect(() => zeros(2 ** 40)).toThrow('zeros: shape must be at most 4294967296 elements');
  });

  it('splitLoader on 1 row, or with rate 0.01 on 10 rows, blames the rate and the rows, not shuffling', () => {
    expect(() => data.splitLoader(zeros(1, 1), zeros(1, 1))).toThrow(
      'splitLoader: opts.rate 0.7 of 1 rows leaves 0 training rows; expected at least 2 rows',
    );
    expect(() => data.splitLoader(zeros(10, 1), zeros(10, 1), { rate: 0.01 })).toThrow(
      'splitLoader: opts.rate 0.01 of 10 rows leaves 0 training rows; expected a rate of at least 1/10 (0.1)',
    );
  });

  it('an options object with an unknown key is refused, naming the key, as TypeScript would', () => {
    expect(() => data.splitLoader(zeros(10, 1), zeros(10, 1), { shufle: true } as object)).toThrow(
      'splitLoader: opts.shufle must be absent (opts takes batchSize, rate, generator, globalGenerator), got true',
    );
    expect(
      () => new data.DataLoader(new data.TensorDataset(zeros(4, 1)), { shuffle: 'no' as unknown as boolean }),
    ).toThrow('DataLoader: opts.shuffle must be true or false, got "no"');
  });

  it('readCsv: header "no", a path that is not a string, an unclosed quote and a duplicated target name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxnn-csv-'));
    const ok = join(dir, 'ok.csv');
    writeFileSync(ok, 'a,y\n1,2\n');
    await expect(data.readCsv(ok, { target: 0, header: 'no' as unknown as boolean })).rejects.toThrow(
      'readCsv: opts.header must be true or false, got "no"',
    );
    await expect(data.readCsv(7 as unknown as string, { target: 0 })).rejects.toThrow(
      'readCsv: path must be a file path, got 7',
    );
    const quote = join(dir, 'quote.csv');
    writeFileSync(quote, 'a,y\n"1,2\n');
    await expect(data.readCsv(quote, { target: 'y' })).rejects.toThrow(`readCsv: ${quote}: Quote Not Closed`);
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'y,a,y\n1,2,3\n');
    await expect(data.readCsv(dup, { target: 'y' })).rejects.toThrow(
      `readCsv: target column "y" appears more than once in ${dup} (columns 0 and 2)`,
    );
  });
});

describe('an empty train loader', () => {
  it('is an error naming train, not NaN metrics', () => {
    const empty = new data.DataLoader(new data.Subset(new data.TensorDataset(zeros(4, 1), zeros(4, 1)), []));
    const test = new data.DataLoader(new data.TensorDataset(zeros(4, 1), zeros(4, 1)));
    expect(() => rx.trainTest$({ model: new nn.Linear(1, 1), train: empty, test, epochs: 1 })).toThrow(
      'train: the loader has no batches',
    );
  });
});
