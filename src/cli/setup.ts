import { mkdirSync, statSync } from 'node:fs';
import { getBackend, setBackend } from '../backend';
import { applyBackendEnv } from '../backend/env';
import type { Pipeline } from '../experiments';
import { RunArgs, UsageError } from './args';
import type { Checkpoint } from './checkpoint';

const PARAM_FLAGS = { epochs: '--epochs', seed: '--seed', lr: '--lr', batchSize: '--batch-size' } as const;
/**
 * Switches backend as asked (--backend, else RXNN_BACKEND); one that cannot run
 * here is a usage error saying why. main loads src/backend with RXNN_BACKEND set
 * aside (it would throw on import), so the variable is applied here, after --backend.
 */
export function chooseBackend(args: RunArgs, env = process.env.RXNN_BACKEND): string {
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
export function prepareOut(args: RunArgs): string {
  const out = args.out ?? args.resume ?? 'out';
  const flag = args.out !== undefined ? '--out' : args.resume !== undefined ? '--resume' : '--out (default)';
  try {
    mkdirSync(out, { recursive: true });
    if (!statSync(out).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : `cannot make it (${e.code ?? e.message})`;
    throw new UsageError(`rxnn: ${flag} ${out}: ${why}; expected a folder to write the results to`);
  }
  return out;
}

/** The run's parameters: the pipeline's defaults and the flags, or the checkpoint's (which flags may not contradict). */
export function paramsFor(pipeline: Pipeline<any>, args: RunArgs, cp: Checkpoint | undefined): Record<string, any> {
  const given = Object.fromEntries(
    Object.keys(PARAM_FLAGS)
      .filter((k) => args[k as keyof typeof PARAM_FLAGS] !== undefined)
      .map((k) => [k, args[k as keyof typeof PARAM_FLAGS]]),
  );
  if (!cp) return { ...pipeline.defaults, ...given };
  if (cp.pipeline !== pipeline.name) {
    throw new UsageError(
      `rxnn: --resume ${args.resume}: the checkpoint is of pipeline '${cp.pipeline}', not '${pipeline.name}'`,
    );
  }
  for (const [k, v] of Object.entries(given)) {
    if (cp.params[k] !== v) {
      throw new UsageError(
        `rxnn: ${PARAM_FLAGS[k as keyof typeof PARAM_FLAGS]} ${v} differs from the checkpoint's ${cp.params[k]}; a resumed run keeps its settings`,
      );
    }
  }
  return cp.params;
}

/** Steps per epoch of a loader, from its dataset size and batch size (iterating it would draw random numbers). */
export function stepsPerEpoch(loader: any): number {
  if (typeof loader.length === 'number') return loader.length;
  const n = loader.dataset?.length ?? 0;
  const b = loader.batchSize ?? 1;
  return loader.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
}
