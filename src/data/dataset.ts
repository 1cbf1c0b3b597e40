import { noGrad } from '../autograd';
import { defaultGenerator, Generator } from '../random';
import type { Tensor } from '../tensor';
import { nonNegativeInt, show } from './check';
import { formatShape } from '../backend/shape';

/**
 * A map-style dataset. `rows(indices)` gathers a whole batch at once (one
 * indexSelect per tensor) rather than stacking per-item tensors.
 */
export interface Dataset {
  /** Number of rows. */
  readonly length: number;
  /** The rows at `indices`, in that order: one batch tensor per data tensor (e.g. [features, labels]). */
  rows(indices: readonly number[]): Tensor[];
}

/** Rows of several tensors that share their first dimension, as torch's TensorDataset. */
export class TensorDataset implements Dataset {
  /** The tensors, sharing their first dimension (the rows). */
  readonly tensors: Tensor[];

  /** As `TensorDataset(*tensors)`: at least one tensor, all with the same size of dimension 0. */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new Error(
          `TensorDataset: size mismatch between tensors: tensor 0 has ${n} rows, tensor ${i} has shape ${formatShape(t.shape)}`,
        );
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Rows `indices` of every tensor (one indexSelect each), in that order; never recorded in the graph. */
  rows(indices: readonly number[]): Tensor[] {
    const ts = this.tensors;
    if (!ts.some((t) => t.requiresGrad)) {
      // The common case (data): indexSelect records nothing for tensors without grad.
      const out = new Array<Tensor>(ts.length);
      for (let i = 0; i < ts.length; i++) out[i] = ts[i].indexSelect(indices);
      return out;
    }
    return noGrad(() => ts.map((t) => t.indexSelect(indices)));
  }

  /** Every row, in order: the lesson's `data[:]`. */
  all(): Tensor[] {
    return this.tensors;
  }
}

/** The rows of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset implements Dataset {
  /**
   * As `torch.utils.data.Subset(dataset, indices)`.
   *
   * @param dataset - The underlying dataset.
   * @param indices - The underlying dataset's rows that make up this subset, in order.
   */
  constructor(
    readonly dataset: Dataset,
    readonly indices: number[],
  ) {}

  get length(): number {
    return this.indices.length;
  }

  /** Rows `indices` of this subset, i.e. rows `this.indices[i]` of the underlying dataset. */
  rows(indices: readonly number[]): Tensor[] {
    const own = this.indices,
      mapped = new Array<number>(indices.length);
    for (let k = 0; k < indices.length; k++) mapped[k] = own[indices[k]];
    return this.dataset.rows(mapped);
  }
}

/** Every row of a dataset in order, as the lesson's `data[:]`. */
export function allRows(dataset: Dataset): Tensor[] {
  return dataset instanceof TensorDataset ? dataset.all() : dataset.rows([...Array(dataset.length).keys()]);
}

/**
 * Splits `dataset` into non-overlapping random subsets, as torch's
 * random_split: one randperm(total) from the generator (the global one by
 * default); the first lengths[0] indices form the first subset, and so on.
 * Lengths are counts summing to the dataset's size, or fractions: when the
 * lengths sum to 1 (within 1e-9, and not above 1) each is a fraction in [0, 1],
 * the floor of its share is taken and the remainder handed out one by one from
 * the first subset, exactly as PyTorch 1.13 decides.
 */
export function randomSplit(dataset: Dataset, lengths: number[], opts: { generator?: Generator } = {}): Subset[] {
  const n = dataset.length;
  if (!Array.isArray(lengths) || lengths.length === 0)
    throw new Error(`randomSplit: lengths must be a non-empty list, got ${show(lengths)}`);
  lengths.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isFinite(l))
      throw new Error(`randomSplit: lengths[${i}] must be a number, got ${show(l)}`);
  });
  let counts = lengths;
  const sum = lengths.reduce((a, b) => a + b, 0); // summed left to right, as Python's sum()
  if (Math.abs(sum - 1) <= 1e-9 * Math.max(1, Math.abs(sum)) && sum <= 1) {
    // math.isclose(sum, 1) and sum <= 1
    counts = lengths.map((f, i) => {
      if (f < 0 || f > 1) throw new Error(`randomSplit: fraction lengths[${i}] must be between 0 and 1, got ${f}`);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  }
  counts.forEach((l, i) => nonNegativeInt('randomSplit', `lengths[${i}]`, l));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) {
    throw new Error(
      `randomSplit: sum of input lengths ${show(lengths)} is ${total}, which does not equal the length of the dataset (${n})`,
    );
  }
  const perm = (opts.generator ?? defaultGenerator).randperm(n);
  let offset = 0;
  return counts.map((l) => new Subset(dataset, perm.slice(offset, (offset += l))));
}
