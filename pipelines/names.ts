/**
 * The pipelines' names in `rxnn list` order, without loading them (or the
 * engine): `rxnn --help` and argument parsing use this; a test checks it
 * against the registry in index.ts.
 */
export const PIPELINE_NAMES: readonly string[] = ['bn-placement', 'bn-momentum', 'activations', 'classification'];
