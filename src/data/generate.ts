import { cat, normal, ones, randn, tensor, type Tensor } from '../tensor';
import { finiteNumber, positiveInt, show } from './check';
import { expect, is, options } from '../validate';

const anyValue = expect<unknown>('a value', () => true);

/** Options of {@link tensorGenReg}; every field has a default. */
export interface TensorGenRegOptions {
  /** Rows to draw (default 1000). */
  numExamples?: number;
  /** True weights; with `bias` the last entry is the intercept. */
  w?: number[];
  /** Whether `w` ends with an intercept; a column of ones is then appended to the features (default true). */
  bias?: boolean;
  /** Standard deviation of the label noise. */
  delta?: number;
  /** Features are raised to this power before the weights apply. */
  deg?: number;
}

/**
 * The lesson's regression data (tensorGenReg), drawing what PyTorch draws in
 * the same order: one randn for the features, one for the noise.
 *   labels = (features ^ deg) @ w[:k] + w[k] (when bias) + N(0, 1) * delta
 * With `bias`, a column of ones is appended to the returned features.
 * Returns [features [numExamples, k], labels [numExamples, 1]].
 *
 * @example
 * ```ts
 * import { data, manualSeed } from 'rxnn';
 * manualSeed(420);
 * const [features, labels] = data.tensorGenReg({ w: [2, -1], bias: false, deg: 2 }); // the lesson's quadratic data
 * features.shape; // [1000, 2]
 * labels.shape; // [1000, 1]
 * ```
 */
export function tensorGenReg(opts: TensorGenRegOptions = {}): [Tensor, Tensor] {
  const checked = options('tensorGenReg', 'opts', opts, {
    numExamples: anyValue,
    w: anyValue,
    bias: is.boolean,
    delta: anyValue,
    deg: anyValue,
  }) as TensorGenRegOptions;
  const { numExamples = 1000, w = [2, -1, 1], bias = true, delta = 0.01, deg = 1 } = checked;
  positiveInt('tensorGenReg', 'numExamples', numExamples);
  if (!Array.isArray(w) || w.length === 0 || (bias && w.length < 2)) {
    throw new Error(
      `tensorGenReg: w must be a non-empty list of numbers${bias ? ' with at least one weight and the intercept' : ''}, got ${show(w)}`,
    );
  }
  w.forEach((v, i) => finiteNumber('tensorGenReg', `w[${i}]`, v));
  if (!Number.isInteger(deg) || deg < 1) throw new Error(`tensorGenReg: deg must be an integer >= 1, got ${show(deg)}`);
  if (typeof delta !== 'number' || !Number.isFinite(delta) || delta < 0)
    throw new Error(`tensorGenReg: delta must be a finite number >= 0, got ${show(delta)}`);
  const k = bias ? w.length - 1 : w.length;
  const featuresTrue = randn(numExamples, k);
  const wTrue = tensor(w.slice(0, k), { shape: [k, 1] });
  let labelsTrue = featuresTrue.pow(deg).matmul(wTrue);
  if (bias) labelsTrue = labelsTrue.add(w[k]);
  const labels = labelsTrue.add(randn(labelsTrue.shape).mul(delta));
  const features = bias ? cat([featuresTrue, ones(numExamples, 1)], 1) : featuresTrue;
  return [features, labels];
}

/** Options of {@link tensorGenCla}; every field has a default. */
export interface TensorGenClaOptions {
  /** Rows per class. */
  numExamples?: number;
  /** Features per row (default 2). */
  numInputs?: number;
  /** Number of classes (default 3). */
  numClass?: number;
  /** `[d, std]`: class means are d apart, centred on 0; each class has standard deviation std. */
  degDispersion?: [number, number];
  /** Append a column of ones to the features (default false). */
  bias?: boolean;
}

/**
 * The lesson's classification data (tensorGenCla): class i is one
 * normal(i * d - d * (numClass - 1) / 2, std, [numExamples, numInputs]) draw,
 * classes concatenated in order; labels are the class indices as an [N, 1]
 * column. `bias` appends a column of ones to the features.
 *
 * @example
 * ```ts
 * import { data, manualSeed } from 'rxnn';
 * manualSeed(420);
 * const [features, labels] = data.tensorGenCla({ numExamples: 500, numClass: 3 });
 * features.shape; // [1500, 2]
 * labels.shape; // [1500, 1], class indices 0, 1, 2
 * ```
 */
export function tensorGenCla(opts: TensorGenClaOptions = {}): [Tensor, Tensor] {
  const checked = options('tensorGenCla', 'opts', opts, {
    numExamples: anyValue,
    numInputs: anyValue,
    numClass: anyValue,
    degDispersion: anyValue,
    bias: is.boolean,
  }) as TensorGenClaOptions;
  const { numExamples = 500, numInputs = 2, numClass = 3, degDispersion = [4, 2], bias = false } = checked;
  positiveInt('tensorGenCla', 'numExamples', numExamples);
  positiveInt('tensorGenCla', 'numInputs', numInputs);
  positiveInt('tensorGenCla', 'numClass', numClass);
  if (
    !Array.isArray(degDispersion) ||
    degDispersion.length !== 2 ||
    !degDispersion.every(Number.isFinite) ||
    !(degDispersion[1] >= 0)
  ) {
    throw new Error(`tensorGenCla: degDispersion must be [distance, std >= 0], got ${show(degDispersion)}`);
  }
  const [d, std] = degDispersion;
  const features: Tensor[] = [];
  const labels: number[] = [];
  for (let i = 0; i < numClass; i++) {
    features.push(normal(i * d - (d * (numClass - 1)) / 2, std, [numExamples, numInputs]));
    for (let r = 0; r < numExamples; r++) labels.push(i);
  }
  const x = cat(features, 0);
  const n = numExamples * numClass;
  return [bias ? cat([x, ones(n, 1)], 1) : x, tensor(labels, { shape: [n, 1] })];
}
