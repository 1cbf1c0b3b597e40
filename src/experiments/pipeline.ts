import { concat, defer, from, mergeMap, Observable } from 'rxjs';
import { compare$, CompareOptions } from '../rx/compare';
import type { TrainEvent } from '../rx/events';
import { defaultGenerator, Generator } from '../random';

/** The parameters every pipeline takes, and the command sets with its flags. */
export interface CommonParams {
  /** Epochs per model (`--epochs`). */
  epochs: number;
  /** Seed for the data (`--seed`); model initialisation has its own, the lesson's 24. */
  seed: number;
  /** SGD learning rate (`--lr`). */
  lr: number;
  /** Training batch size (`--batch-size`). */
  batchSize: number;
}

/** One comparison: several models trained on the same loaders. */
export interface Experiment extends Omit<CompareOptions, 'epochs' | 'lr' | 'from' | 'scheduler' | 'names'> {
  /** One name per model, in `models` order. */
  names: string[];
  /** Prefix for the model names where a pipeline runs several comparisons (e.g. `batch 10`). */
  group?: string;
  /**
   * The stream the loaders draw from while training, in place of the global generator (their
   * `globalGenerator`), so that pipelines running side by side in one process each draw what they
   * would draw alone; the command checkpoints it. Every experiment of a pipeline shares one.
   * Default: the global generator.
   */
  generator?: Generator;
}

/**
 * A pipeline's own stand-in for the global generator: pass it to the loaders as
 * `globalGenerator` during setup, then call `follow()` once the setup's last draw is done, so that
 * the loaders draw on from where the lesson's would (the global stream after the models' init).
 */
export function ownStream(): { generator: Generator; follow(): Generator } {
  const generator = new Generator();
  return {
    generator,
    follow: () => {
      generator.setState(defaultGenerator.getState());
      return generator;
    },
  };
}

/**
 * How the command documents and reads one of a pipeline's own parameters
 * (`rxnn run X --help`, `--set key=value`); the type comes from the default.
 */
export interface ParamDoc {
  /** One line: what the parameter sets. */
  doc: string;
  /** A number (or each number of a list) must be an integer. */
  integer?: boolean;
  /** The smallest valid number (or list item). */
  min?: number;
  /** The largest valid number (or list item). */
  max?: number;
  /** The valid strings (or list items). */
  choices?: readonly string[];
}

/** Docs for every parameter a pipeline adds to the common ones. */
export type ParamDocs<P extends CommonParams> = { [K in Exclude<keyof P, keyof CommonParams>]-?: ParamDoc };

/** A named experiment the command can run: typed parameters with defaults, and a setup. */
export interface Pipeline<P extends CommonParams = CommonParams> {
  /** The name `rxnn run <name>` takes, kebab-case (e.g. `bn-placement`). */
  name: string;
  /** One line for `rxnn list`. */
  summary: string;
  /** What the metric is called on plots and in metrics.csv: 'MSE' or 'accuracy'. */
  metric: string;
  /** Every parameter's default; `--epochs`, `--set key=value` and `run$`'s `params` override them. */
  defaults: P;
  /** Docs and bounds of the parameters beyond the common ones, for `--set` and `rxnn run X --help`. */
  params?: ParamDocs<P>;
  /**
   * Builds data, loaders and models from `params`, deterministically: it seeds
   * the global generator itself, so the same params give the same run.
   */
  setup(params: P): Promise<Experiment[]>;
}

/** An experiment's model names as events carry them: `group/name` where it has a group. */
export const modelNames = (e: Experiment): string[] => e.names.map((n) => (e.group ? `${e.group}/${n}` : n));

/**
 * A pipeline as one live event stream: setup on subscription, then each
 * comparison in turn through `compare$`.
 *
 * @example
 * run$(bnPlacement, { epochs: 5 }).subscribe((e) => e.kind === 'epoch' && console.log(e));
 */
export function run$<P extends CommonParams>(pipeline: Pipeline<P>, params: Partial<P> = {}): Observable<TrainEvent> {
  const p = { ...pipeline.defaults, ...params };
  return defer(() => from(pipeline.setup(p))).pipe(
    mergeMap((experiments) =>
      concat(...experiments.map((e) => compare$({ ...e, names: modelNames(e), epochs: p.epochs, lr: p.lr }))),
    ),
  );
}
