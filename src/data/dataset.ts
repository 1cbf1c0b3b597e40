import { noGrad } from '../autograd';
import { defaultGenerator, Generator } from '../random';
import type { Tensor } from '../tensor';
import { nonNegativeInt } from './check';

/**
 * A map-style dataset. `rows(indices)` gathers a whole batch at once (one
 * indexSelect per tensor) rather than stacking per-item tensors.
 */
export interface Dataset {
  readonly length: number;
  rows(indices: readonly number[]): Tensor[];
}

/** Rows of several tensors that share their first dimension, as torch's TensorDataset. */
export class TensorDataset implements Dataset {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new Error(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} rows, tensor ${i} has shape [${t.shape.join(', ')}]`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number { return this.tensors[0].shape[0]; }

  rows(indices: readonly number[]): Tensor[] {
    return noGrad(() => this.tensors.map((t) => t.indexSelect(indices)));
  }

  /** Every row, in order: the lesson's `data[:]`. */
  all(): Tensor[] {
    return this.tensors;
  }
}

/** The rows of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset implements Dataset {
  constructor(readonly dataset: Dataset, readonly indices: number[]) {}

  get length(): number { return this.indices.length; }

  rows(indices: readonly number[]): Tensor[] {
    return this.dataset.rows(indices.map((i) => this.indices[i]));
  }
}

/** Every row of a dataset in order, as the lesson's `data[:]`. */
export function allRows(dataset: Dataset): Tensor[] {
  return dataset instanceof TensorDataset ? dataset.all() : dataset.rows([...Array(dataset.length).keys()]);
}

/**
 * Splits `dataset` into non-overlapping random subsets, as torch's
 * random_split: one randperm(total) from the generator; the first
 * lengths[0] indices form the first subset, and so on. Lengths are counts
 * summing to the dataset's size, or fractions summing to 1 (floor of each
 * share, the remainder handed out one by one from the first).
 */
export function randomSplit(dataset: Dataset, lengths: number[], opts: { generator?: Generator } = {}): Subset[] {
  const n = dataset.length;
  if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`randomSplit: lengths must be a non-empty list, got ${JSON.stringify(lengths)}`);
  let counts = lengths;
  const fractions = lengths.every((l) => l >= 0 && l <= 1) && Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9 && lengths.some((l) => !Number.isInteger(l));
  if (fractions) {
    counts = lengths.map((f) => Math.floor(n * f));
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  }
  counts.forEach((l, i) => nonNegativeInt('randomSplit', `lengths[${i}]`, l));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) {
    throw new Error(`randomSplit: sum of input lengths ${JSON.stringify(lengths)} is ${total}, which does not equal the length of the dataset (${n})`);
  }
  const perm = (opts.generator ?? defaultGenerator).randperm(n);
  let offset = 0;
  return counts.map((l) => new Subset(dataset, perm.slice(offset, (offset += l))));
}
