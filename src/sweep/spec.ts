import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pipeline } from '../experiments';
import type { Setting } from './grid';

/**
 * Where a worker finds a pipeline: a module it can `require` (a package
 * specifier such as `rxnn/pipelines`, or an absolute path) and the export.
 */
export interface PipelineRef {
  /** The pipeline's name (its `name` field). */
  name: string;
  module: string;
  exportName: string;
}

/** The compute backend a run uses, as `--backend` gives it. */
export interface BackendChoice {
  name: 'js' | 'gpu';
  mode?: string;
}

/** Everything a worker needs for one run; plain data, so it crosses threads and Redis. */
export interface RunTask {
  /** The run's id, derived from (rxnn version, pipeline, params, backend). */
  id: string;
  /** The rxnn version that made the task (a worker of another version refuses it). */
  rxnn: string;
  pipeline: PipelineRef;
  /** The pipeline's full parameters for this run. */
  params: Record<string, unknown>;
  backend?: BackendChoice;
}

/** One run of a sweep: a seed at one point of the grid. */
export interface RunSpec extends RunTask {
  seed: number;
  setting: Setting;
  /** Index of the setting in the grid (outputs list runs by setting, then seed). */
  settingIndex: number;
}

/** The models' initial-weight seed of sweep seed s, where a pipeline has `modelSeed`: 2^32 + s, apart from the data seeds. */
export const modelSeedOf = (seed: number): number => 2 ** 32 + seed;

let cachedVersion: string | undefined;
/** rxnn's version, from the package.json above this module (src/ or dist/src/). */
export function rxnnVersion(): string {
  if (cachedVersion) return cachedVersion;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'rxnn' && pkg.version) return (cachedVersion = pkg.version);
  }
  throw new Error('rxnn: cannot find rxnn package.json');
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

/**
 * A run's id: a hash of (rxnn version, pipeline, params, backend), so the same
 * run always has the same id, on any machine; BullMQ uses it as the job id.
 */
export function runId(
  version: string,
  pipeline: string,
  params: Record<string, unknown>,
  backend?: BackendChoice,
): string {
  const h = createHash('sha256').update(canonicalJson({ version, pipeline, params, backend })).digest('hex');
  return `r${h.slice(0, 20)}`;
}

/**
 * The sweep's runs, setting by setting, seed by seed: each with the pipeline's
 * defaults, the fixed `params`, the setting and the seed (data seed, and the
 * models' seed where the pipeline has one and the setting does not fix it).
 */
export function planRuns(o: {
  pipeline: Pipeline;
  ref: PipelineRef;
  seeds: readonly number[];
  settings: readonly Setting[];
  params?: Record<string, unknown>;
  backend?: BackendChoice;
}): RunSpec[] {
  const version = rxnnVersion();
  const defaults = o.pipeline.defaults as unknown as Record<string, unknown>;
  return o.settings.flatMap((setting, settingIndex) =>
    o.seeds.map((seed) => {
      const params: Record<string, unknown> = { ...defaults, ...o.params, ...setting, seed };
      if ('modelSeed' in defaults && !('modelSeed' in setting) && !('modelSeed' in (o.params ?? {})))
        params.modelSeed = modelSeedOf(seed);
      const id = runId(version, o.ref.name, params, o.backend);
      return { id, rxnn: version, pipeline: o.ref, params, backend: o.backend, seed, setting, settingIndex };
    }),
  );
}
