/**
 * Experiments: the shape of a named, typed pipeline the command can run
 * (`Pipeline`, `Experiment`, `CommonParams`) and `run$`, which turns one into a
 * live event stream. The named experiments themselves live in `pipelines/`.
 */
export { run$, modelNames, ownStream } from './pipeline';
export type { Pipeline, Experiment, CommonParams, ParamDoc, ParamDocs } from './pipeline';
