import type { Module, Parameter } from '../nn';
import { SGD } from '../optim';
import type { Tensor } from '../tensor';
import type { Optimizer } from '../train/step';

/** What a step needs of an optimizer and a loss: one definition, train/step.ts's. */
export type { Criterion, Optimizer } from '../train/step';

/** `(params, lr) => optimizer`, as the lesson's `optimizer(model.parameters(), lr=lr)`. */
export type OptimizerFactory = (params: Parameter[], lr: number) => Optimizer;
/** An optimizer class such as `optim.SGD`, constructed as `new C(params, {lr})`. */
export type OptimizerClass = new (params: Parameter[], options: { lr: number }) => Optimizer;
/**
 * The `optimizer` option: an instance (used as is), a class or a factory; {@link resolveOptimizer} builds it (default
 * `optim.SGD`).
 */
export type OptimizerOption = Optimizer | OptimizerFactory | OptimizerClass;

/** Something iterable over `[X, y]` batches that exposes its dataset, as `data.DataLoader`. */
export type Loader = Iterable<readonly Tensor[]> & {
  /** The loader's dataset, which the metrics read whole. */
  dataset: unknown;
};

/** A metric over a loader's whole dataset, as `mseCal` / `accuracyCal` (a Tensor or a number). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a user's metric may take whatever loader type its pipeline uses
export type Metric = (loader: any, model: Module) => Tensor | number;

const isOptimizer = (o: unknown): o is Optimizer =>
  typeof o === 'object' &&
  o !== null &&
  typeof (o as Optimizer).step === 'function' &&
  typeof (o as Optimizer).zeroGrad === 'function';

/** Checks the `optimizer` option's kind without building anything (pipelines check eagerly, build on subscription). */
export function checkOptimizer(option: unknown): void {
  if (option !== undefined && !isOptimizer(option) && typeof option !== 'function') {
    throw new TypeError(
      `optimizer: expected an optimizer (with zeroGrad and step), an optimizer class or a factory (params, lr) => optimizer, got ${describe(option)}`,
    );
  }
}

/**
 * Turns the `optimizer` option into an instance for `model`: an instance is
 * used as is, a class (its prototype has `step`) is constructed with `{lr}`, any
 * other function is called as a factory `(params, lr)`. Default: SGD.
 */
export function resolveOptimizer(option: OptimizerOption | undefined, model: Module, lr: number): Optimizer {
  if (option === undefined) return new SGD(model.parameters(), { lr });
  if (isOptimizer(option)) return option;
  if (typeof option === 'function') {
    const made =
      typeof (option.prototype as Partial<Optimizer> | undefined)?.step === 'function'
        ? new (option as OptimizerClass)(model.parameters(), { lr })
        : (option as OptimizerFactory)(model.parameters(), lr);
    if (isOptimizer(made)) return made;
  }
  throw new TypeError(
    `optimizer: expected an optimizer (with zeroGrad and step), an optimizer class or a factory (params, lr) => optimizer, got ${describe(option)}`,
  );
}

/** A short description of a bad value for error messages. */
export function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'object' && v !== null) return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  return JSON.stringify(v) ?? String(v);
}

/** A metric's value as a number (user metrics may return either). */
export function toNumber(v: Tensor | number, what: string): number {
  if (typeof v === 'number') return v;
  if (v && typeof v.item === 'function') return v.item();
  throw new TypeError(`${what}: expected the metric to return a number or a scalar Tensor, got ${describe(v)}`);
}
