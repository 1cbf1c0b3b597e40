/**
 * The pipelines `rxnn run` knows, by name. Each is a documented, typed
 * experiment with defaults; run one in code with `run$(pipeline, params)`.
 *
 * @packageDocumentation
 */
import { activations } from './activations';
import { bnMomentum } from './bn-momentum';
import { bnPlacement } from './bn-placement';
import { classification } from './classification';
import type { Pipeline } from '../src/experiments';

export { activations, bnMomentum, bnPlacement, classification };
export type { ActivationsParams } from './activations';
export type { BnMomentumParams } from './bn-momentum';
export type { BnPlacementParams } from './bn-placement';
export type { ClassificationParams } from './classification';
export { irisData } from './classification';
export { run$, modelNames } from '../src/experiments';
export type { Pipeline, Experiment, CommonParams } from '../src/experiments';

/** The pipelines `rxnn run <name>` runs, by their `name`: bn-placement, bn-momentum, activations and classification. */
export const registry: Record<string, Pipeline> = {
  [bnPlacement.name]: bnPlacement,
  [bnMomentum.name]: bnMomentum,
  [activations.name]: activations,
  [classification.name]: classification,
};
