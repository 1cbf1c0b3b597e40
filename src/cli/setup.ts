import { mkdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { getBackend, setBackend } from '../backend';
import { applyBackendEnv } from '../backend/env';
import type { CommonParams, Pipeline } from '../experiments';
import { RunArgs, UsageError } from './args';
import { makeDir } from './atomic';
import type { Checkpoint } from './checkpoint';
import { parseSet } from './params';

const PARAM_FLAGS = { epochs: '--epochs', seed: '--seed', lr: '--lr', batchSize: '--batch-size' } as const;
/**
 * Switches backend as asked (--backend, else RXNN_BACKEND, parsed by the flags module); one
 * that cannot run here, or a bad RXNN_BACKEND, is a usage error saying why. `env` is the
 * variable's raw value, a parameter so that a test can pass one.
 */
export function chooseBackend(args: RunArgs, env = process.env.RXNN_BACKEND): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the gpu backend loads only when asked for
  if (args.backend?.name === 'gpu') require('../backend/gpu');
  if (!args.backend && env?.trim()) {
    try {
      applyBackendEnv(env);
    } catch (err) {
      throw new UsageError(`rxnn: ${(err as Error).message}`);
    }
  }
  if (args.backend) {
    try {
      setBackend(args.backend.name, args.backend.mode ? { mode: args.backend.mode } : undefined);
    } catch (err) {
      const raw = args.backend.mode ? `gpu:${args.backend.mode}` : args.backend.name;
      throw new UsageError(`rxnn: --backend ${raw}: ${(err as Error).message}`);
    }
  }
  const b = getBackend();
  if (!b.mode) return b.name;
  return b.device ? `${b.name} (${b.mode}, ${b.device})` : `${b.name} (${b.mode})`;
}

/**
 * The output folder, made up front: a file in its place (ENOTDIR, EEXIST) or a
 * folder that cannot be made is one usage line naming the flag and the path.
 */
export function prepareOut(args: RunArgs, now = new Date()): string {
  if (args.out === undefined && args.resume === undefined) return newRunFolder('out', args.pipeline, now);
  const out = args.out ?? args.resume ?? 'out';
  const flag = args.out !== undefined ? '--out' : args.resume !== undefined ? '--resume' : '--out (default)';
  try {
    makeDir(out); // the real error code (EROFS), where recursive mkdir says ENOENT
    if (!statSync(out).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : `cannot make it (${e.code ?? e.message})`;
    throw new UsageError(`rxnn: ${flag} ${out}: ${why}; expected a folder to write the results to`);
  }
  return out;
}

/** `20261203-134512`: a folder name's timestamp, local time, sorting in time order. */
export function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * A new folder for a run, `<root>/<pipeline>-<timestamp>` (`-2`, `-3`… within
 * the same second), and `<root>/latest` pointing at it. A `latest` that is not
 * a link (a folder of the user's) is left alone.
 */
export function newRunFolder(root: string, pipeline: string, now = new Date()): string {
  let dir = '';
  try {
    makeDir(root);
    for (let i = 1; !dir; i++) {
      const candidate = join(root, `${pipeline}-${stamp(now)}${i > 1 ? `-${i}` : ''}`);
      try {
        mkdirSync(candidate);
        dir = candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : `cannot make it (${e.code ?? e.message})`;
    throw new UsageError(`rxnn: --out (default) ${root}: ${why}; expected a folder to write the results to`);
  }
  // Swapped in with a rename, so `latest` always points at a whole run folder.
  const tmp = join(root, `.latest-${process.pid}`);
  try {
    rmSync(tmp, { force: true });
    symlinkSync(basename(dir), tmp);
    renameSync(tmp, join(root, 'latest'));
  } catch {
    rmSync(tmp, { force: true });
  }
  return dir;
}

/** Whether two parameter values are the same (lists item by item). */
const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => same(x, b[i])) : a === b;

/** The parameters given on the command line: `--set key=value`, then the flags (which may not contradict a --set). */
export function givenParams(pipeline: Pipeline, args: RunArgs): Record<string, unknown> {
  const given: Record<string, unknown> = Object.fromEntries((args.set ?? []).map((a) => parseSet(pipeline, a)));
  for (const [k, flag] of Object.entries(PARAM_FLAGS)) {
    const v = args[k as keyof typeof PARAM_FLAGS];
    if (v === undefined) continue;
    if (k in given && !same(given[k], v)) {
      throw new UsageError(`rxnn: ${flag} ${String(v)} contradicts --set ${k}=${String(given[k])}; give one of them`);
    }
    given[k] = v;
  }
  return given;
}

/**
 * The message for `--resume` of a run whose every comparison has finished
 * (nothing to do: the command says so and exits 0), or undefined.
 */
export function finishedRun(cp: Checkpoint | undefined, experiments: number, dir: string): string | undefined {
  if (!cp || cp.next.experiment < experiments) return undefined;
  return `rxnn: the run in ${dir} has finished (${cp.pipeline}, ${String(cp.params.epochs)} epochs per model); nothing to resume. Its files are in ${dir}/; start a new run with: rxnn run ${cp.pipeline}`;
}

/** A run's parameters: the common ones and the pipeline's own. */
export type RunParams = CommonParams & Record<string, unknown>;

/** The run's parameters: the pipeline's defaults and the flags, or the checkpoint's (which flags may not contradict). */
export function paramsFor(pipeline: Pipeline, args: RunArgs, cp: Checkpoint | undefined): RunParams {
  const given = givenParams(pipeline, args);
  if (!cp) return { ...pipeline.defaults, ...given };
  if (cp.pipeline !== pipeline.name) {
    throw new UsageError(
      `rxnn: --resume ${args.resume}: the checkpoint is of pipeline '${cp.pipeline}', not '${pipeline.name}'`,
    );
  }
  for (const [k, v] of Object.entries(given)) {
    if (!same(cp.params[k], v)) {
      const what =
        k in PARAM_FLAGS ? `${PARAM_FLAGS[k as keyof typeof PARAM_FLAGS]} ${String(v)}` : `--set ${k}=${String(v)}`;
      throw new UsageError(
        `rxnn: ${what} differs from the checkpoint's ${String(cp.params[k])}; a resumed run keeps its settings`,
      );
    }
  }
  return cp.params as RunParams;
}

/** Steps per epoch of a loader, from its dataset size and batch size (iterating it would draw random numbers). */
export function stepsPerEpoch(loader: unknown): number {
  const l = loader as { length?: unknown; dataset?: { length?: number }; batchSize?: number; dropLast?: boolean };
  if (typeof l.length === 'number') return l.length;
  const n = l.dataset?.length ?? 0;
  const b = l.batchSize ?? 1;
  return l.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
}
