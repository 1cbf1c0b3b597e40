import { concat, EMPTY, Subscription } from 'rxjs';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { Module } from '../nn';
import { defaultGenerator } from '../random';
import { compare$ } from '../rx/compare';
import { TrainingError } from '../rx/errors';
import type { TrainEvent } from '../rx/events';
import { Optimizer, resolveOptimizer } from '../rx/options';
import { modelNames, type CommonParams, type Experiment, type Pipeline } from '../experiments';
import { RunArgs, UsageError } from './args';
import { chooseBackend, finishedRun, paramsFor, prepareOut, stepsPerEpoch } from './setup';
import { WriteError, writeOutput } from './atomic';
import {
  badResume,
  Checkpoint,
  CHECKPOINT,
  checkAgainstFiles,
  checkParams,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint';
import { AppendLog, scanLog } from './event-log';
import { lockDir } from './lock';
import { curvePoints, Curves, metricsHeader, metricsRow } from './records';
import { renderSvg, reportOptions, reportSpec } from './report';
import { decodeNumbers, encodeNumbers, StateDictError, stateDictFromJSON, stateDictToJSON } from './statedict';
import { plainView, ttyView, jsonView, View } from './terminal';
import { liveView, watchExperiment } from './live';

/** One model of a run: which comparison it belongs to, and what to checkpoint. */
interface Run {
  experiment: number;
  name: string;
  model: Module;
  optimizer: Optimizer;
  last: boolean;
}

/** How often, at most, a running job writes its checkpoint to disk (it always does at the end and on Ctrl-C). */
const CHECKPOINT_MS = 2000;
/**
 * Without --events, per-step events go to events.jsonl while the run has at
 * most this many steps in all (about 25 MB of lines), and only the epochs beyond.
 */
export const STEP_EVENTS_LIMIT = 250_000;
const fileName = (model: string): string => model.replace(/[^A-Za-z0-9._=-]+/g, '_');
const message = (err: unknown): string => String((err as Error)?.message ?? err);
const stderr = (line: string): void => void process.stderr.write(line + '\n');

/**
 * `rxnn run`: trains the pipeline's comparisons one after the other, shows
 * them live, checkpoints at epoch boundaries and writes the output files.
 * Holds the output folder's lock for the whole run. Resolves to the exit
 * code: 0 done, 1 failed, 130 interrupted (SIGINT); usage errors (exit 2)
 * are thrown before anything in the folder changes.
 */
export async function runCommand(
  args: RunArgs,
  registry: Record<string, Pipeline<CommonParams>>,
  isTTY = !!process.stdout.isTTY,
): Promise<number> {
  if (args.resume !== undefined && args.force)
    throw new UsageError('rxnn: --resume continues a run and --force starts one over; give one of them');
  if (args.resume !== undefined && args.out !== undefined && resolvePath(args.out) !== resolvePath(args.resume)) {
    throw new UsageError(
      `rxnn: --resume continues the run in its own folder (${args.resume}); leave out --out ${args.out}`,
    );
  }
  if (args.resume !== undefined)
    readCheckpoint(args.resume); // fails before anything is made; read again under the lock
  else paramsFor(registry[args.pipeline], args, undefined); // a bad --set, too, before any folder is made
  const backend = chooseBackend(args);
  const out = prepareOut(args);
  const release = lockDir(out, stderr);
  try {
    return await runLocked(args, registry, isTTY, out, backend);
  } finally {
    release();
  }
}

/** Refuses a fresh run over an unfinished one that has trained something, unless --force. */
function refuseUnfinished(out: string, force: boolean): void {
  const path = join(out, CHECKPOINT);
  if (force || !existsSync(path)) return;
  let what: string | undefined;
  try {
    const d = JSON.parse(readFileSync(path, 'utf8')) as {
      finished?: unknown;
      pipeline?: unknown;
      next?: { experiment?: unknown; epoch?: unknown };
    };
    const started = d.next?.experiment !== 0 || d.next.epoch !== 1;
    if (d.finished !== true && started)
      what = `an unfinished run of ${String(d.pipeline)} (next: epoch ${String(d.next?.epoch)} of part ${Number(d.next?.experiment) + 1})`;
  } catch {
    what = `a ${CHECKPOINT} that cannot be read`;
  }
  if (what) {
    throw new UsageError(
      `rxnn: --out ${out} holds ${what}; continue it with --resume ${out}, or start over (deleting it) with --force`,
    );
  }
}

/** A fresh run owns its folder: the files of an earlier run there (other pipelines' state files too) go. */
function clearRun(out: string): void {
  try {
    // Files only: a folder in a file's place is left for the write to report.
    const rmFile = (p: string): void => {
      if (lstatSync(p, { throwIfNoEntry: false })?.isDirectory() === false) rmSync(p);
    };
    for (const f of ['events.jsonl', 'metrics.csv', 'report.svg', CHECKPOINT]) rmFile(join(out, f));
    const state = join(out, 'state');
    if (lstatSync(state, { throwIfNoEntry: false })?.isDirectory()) {
      for (const f of readdirSync(state)) if (f.endsWith('.json')) rmFile(join(state, f));
    }
  } catch (err) {
    throw new WriteError(`could not clear the earlier run's files in ${out}: ${message(err)}`, { cause: err });
  }
}

/** The first non-finite running statistic of a model's BatchNorm layers, or undefined. */
function nonFiniteStat(model: Module): string | undefined {
  for (const [key, v] of Object.entries(model.stateDict())) {
    if (typeof v === 'number' || !key.includes('running_')) continue;
    const d = v.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return `${key}[${i}] is ${d[i]}`;
  }
  return undefined;
}

async function runLocked(
  args: RunArgs,
  registry: Record<string, Pipeline<CommonParams>>,
  isTTY: boolean,
  out: string,
  backend: string,
): Promise<number> {
  const pipeline = registry[args.pipeline];
  const cp = args.resume !== undefined ? readCheckpoint(args.resume) : undefined;
  if (!cp) refuseUnfinished(out, !!args.force);
  const params = paramsFor(pipeline, args, cp);
  const view: View = args.json ? jsonView() : isTTY ? ttyView() : plainView();

  if (cp && cp.pipeline === pipeline.name) checkParams(out, cp, pipeline.defaults);
  const experiments: Experiment[] = await pipeline.setup(params);
  // The stream the loaders draw from while training: what the checkpoint keeps and resume restores.
  const rng = experiments[0]?.generator ?? defaultGenerator;
  if (experiments.some((e) => (e.generator ?? defaultGenerator) !== rng)) {
    throw new Error(`pipeline ${pipeline.name}: its experiments must share one generator`);
  }
  const runs: Run[] = experiments.flatMap((e, ei) =>
    modelNames(e).map((name, mi) => {
      const opt = Array.isArray(e.optimizer) ? e.optimizer[mi] : e.optimizer;
      const model = e.models[mi];
      return {
        experiment: ei,
        name,
        model,
        optimizer: resolveOptimizer(opt, model, params.lr),
        last: mi === e.models.length - 1,
      };
    }),
  );
  const totalSteps = runs.reduce((s, r) => s + params.epochs * stepsPerEpoch(experiments[r.experiment].train), 0);
  if (cp && args.events && args.events !== cp.events)
    throw new UsageError(
      `rxnn: --events ${args.events} differs from the checkpoint's ${cp.events}; a resumed run keeps its settings`,
    );
  const eventsMode = cp?.events ?? args.events ?? (totalSteps <= STEP_EVENTS_LIMIT ? 'steps' : 'epochs');

  const curves = new Curves();
  /** report.svg from the curves so far (what the events hold). */
  const writeReport = async (): Promise<void> => {
    const spec = reportSpec(curvePoints(curves.records()), reportOptions(pipeline, params, backend));
    let svg: string;
    try {
      svg = await renderSvg(spec);
    } catch (err) {
      throw new WriteError(`could not render ${join(out, 'report.svg')}: ${message(err)}`, { cause: err });
    }
    writeOutput(join(out, 'report.svg'), svg);
  };
  let next = { experiment: 0, epoch: 1 };
  let last: Checkpoint['last'] = null;
  let eventsLog: AppendLog, metricsLog: AppendLog;
  let earlier: Record<string, unknown>[] = [];
  if (cp) {
    // Everything is checked before anything is loaded or written: a bad checkpoint changes nothing.
    const plan = { defaults: pipeline.defaults, experiments: experiments.map((e) => modelNames(e)) };
    checkAgainstFiles(out, cp, plan, (e) => curves.add(e));
    const finished = finishedRun(cp, experiments.length, out);
    if (finished) {
      // Killed after its last checkpoint but before its report: the report comes from the events.
      if (!existsSync(join(out, 'report.svg'))) {
        await writeReport();
        view.note(`wrote the missing report.svg to ${out}/`);
      }
      view.note(finished);
      return 0;
    }
    for (const r of runs) {
      try {
        const sd = stateDictFromJSON(cp.models[r.name], r.model.stateDict(), `field models.${r.name}`);
        r.model.loadStateDict(sd);
        if (cp.optimizers[r.name] !== undefined) r.optimizer.loadStateDict?.(decodeNumbers(cp.optimizers[r.name]));
      } catch (err) {
        const field = err instanceof StateDictError ? '' : `field optimizers.${r.name}: `;
        throw badResume(out, CHECKPOINT, `${field}${message(err)}`);
      }
    }
    try {
      rng.setState(cp.rng);
    } catch (err) {
      throw badResume(out, CHECKPOINT, `field rng: ${message(err)}`);
    }
    if (args.serve !== undefined)
      scanLog(join(out, 'events.jsonl'), cp.files.events, (l) =>
        earlier.push(JSON.parse(l) as Record<string, unknown>),
      );
    next = cp.next;
    last = cp.last;
    eventsLog = AppendLog.open(join(out, 'events.jsonl'), { at: cp.files.events });
    metricsLog = AppendLog.open(join(out, 'metrics.csv'), { at: cp.files.metrics });
  } else {
    clearRun(out);
    eventsLog = AppendLog.open(join(out, 'events.jsonl'));
    metricsLog = AppendLog.open(join(out, 'metrics.csv'), { header: [metricsHeader(pipeline.metric.toLowerCase())] });
  }
  // Warnings to the terminal; with --serve, the dashboard too.
  const live = await liveView(view, args, earlier, params);
  earlier = [];

  /** The run's state at the latest epoch boundary, kept in memory (cheap) and written at most every CHECKPOINT_MS. */
  let snap!: Checkpoint;
  /** The checkpoint on disk: what the folder is consistent with. */
  let onDisk: Checkpoint | undefined;
  /** Files older than onDisk, or not written, after a failed write. */
  let stale: string[] = [];
  let written = 0;
  const snapshot = (): void => {
    snap = {
      version: 2,
      pipeline: pipeline.name,
      params,
      events: eventsMode,
      finished: next.experiment >= experiments.length,
      next,
      rng: rng.getState(),
      models: Object.fromEntries(runs.map((r) => [r.name, stateDictToJSON(r.model.stateDict())])),
      optimizers: Object.fromEntries(runs.map((r) => [r.name, encodeNumbers(r.optimizer.stateDict?.())])),
      files: { events: eventsLog.mark(), metrics: metricsLog.mark() },
      last,
    };
  };
  /** The logs made durable, then the checkpoint that points into them, then the state files: each atomic. */
  const writeSnapshot = (): void => {
    eventsLog.sync();
    metricsLog.sync();
    writeCheckpoint(out, snap);
    onDisk = snap;
    stale = runs.map((r) => `state/${fileName(r.name)}.json`);
    for (const [name, sd] of Object.entries(snap.models)) {
      writeOutput(join(out, 'state', `${fileName(name)}.json`), JSON.stringify(sd));
      stale.shift();
    }
    written = Date.now();
  };
  snapshot();
  if (!cp) {
    try {
      writeSnapshot();
    } catch (err) {
      eventsLog.close();
      metricsLog.close();
      throw err;
    }
  }

  const where = (n: { experiment: number; epoch: number }): string =>
    n.experiment >= experiments.length
      ? 'the end'
      : `epoch ${n.epoch}${experiments.length > 1 ? ` of ${experiments[n.experiment].group ?? `part ${n.experiment + 1}`}` : ''}`;
  const epochsDone = (r: Run): number =>
    r.experiment < next.experiment ? params.epochs : r.experiment === next.experiment ? next.epoch - 1 : 0;
  live.start({
    pipeline: pipeline.name,
    summary: pipeline.summary,
    backend,
    metric: pipeline.metric,
    epochs: params.epochs,
    out,
    models: runs.map((r) => {
      const steps = stepsPerEpoch(experiments[r.experiment].train);
      return { name: r.name, steps: params.epochs * steps, done: epochsDone(r) * steps };
    }),
  });

  const stream = concat(
    ...experiments.map((e, ei) =>
      ei < next.experiment
        ? EMPTY
        : compare$({
            ...e,
            names: modelNames(e),
            optimizer: runs.filter((r) => r.experiment === ei).map((r) => r.optimizer),
            epochs: params.epochs,
            lr: params.lr,
            from: ei === next.experiment ? next.epoch : 1,
          }).pipe(watchExperiment(e, modelNames(e), args.serve !== undefined)),
    ),
  );

  return new Promise<number>((resolve) => {
    // Unsubscribed by finish; a subscription added after that (finish during subscribe) ends at once.
    const sub = new Subscription();
    let finishing = false;
    // A second Ctrl-C while the files are written must not kill the process half way (files, resume hint).
    const onLateSigint = (): void => view.note('rxnn: finishing: writing the files first');
    const finish = async (status: 'done' | 'failed' | 'interrupted', error?: unknown): Promise<void> => {
      if (finishing) return;
      finishing = true;
      sub.unsubscribe();
      process.removeListener('SIGINT', onSigint);
      process.on('SIGINT', onLateSigint);
      const errors = error === undefined ? [] : [message(error)];
      let writeFailed: string | undefined;
      let reportWritten = false;
      try {
        writeSnapshot();
        await writeReport();
        reportWritten = true;
      } catch (err) {
        // A file not written fails the run, whatever it was going to end with: nothing claims it was written.
        writeFailed = message(err);
        status = 'failed';
      }
      eventsLog.close();
      metricsLog.close();
      if (writeFailed !== undefined) {
        const notes = [
          onDisk
            ? `${out}/${CHECKPOINT} (${onDisk.finished ? 'the finished run' : `to resume from ${where(onDisk.next)}`}) and the lines of events.jsonl and metrics.csv it covers are whole`
            : `no ${CHECKPOINT} was written`,
          ...(stale.length ? [`${stale.join(', ')} may be older than ${CHECKPOINT}`] : []),
          ...(reportWritten ? [] : ['report.svg was not written']),
        ];
        // The same failure may have stopped training (an append) and then the final write: one line for it.
        if (errors.includes(writeFailed)) errors.splice(errors.indexOf(writeFailed), 1);
        errors.push(`${writeFailed}; ${notes.join('; ')}`);
      }
      live.finish(curves.records(), { status, out, ...(errors.length ? { error: errors.join('; ') } : {}) });
      if (status === 'interrupted') {
        view.note(
          `interrupted: metrics, events and report.svg so far, and a checkpoint to resume from ${where(snap.next)}, are in ${out}/; continue with: rxnn run ${pipeline.name} --resume ${out}`,
        );
      } else if (status === 'failed') {
        // Errors go to stderr in every mode, so a pipe on stdout never swallows them.
        for (const e of errors) stderr(`rxnn: ${e}`);
        if (writeFailed === undefined) stderr(`rxnn: what was gathered is in ${out}/`);
      } else {
        view.note(`wrote metrics.csv, events.jsonl, report.svg, state/*.json and checkpoint.json to ${out}/`);
      }
      process.removeListener('SIGINT', onLateSigint);
      await live.linger(status);
      resolve(status === 'done' ? 0 : status === 'failed' ? 1 : 130);
    };
    // Training yields to the event loop between batches, so this runs between two steps.
    const onSigint = (): void => void finish('interrupted');
    process.once('SIGINT', onSigint);
    sub.add(
      stream.subscribe({
        next: (ev: TrainEvent) => {
          if (finishing) return;
          // An error here (a file that cannot be written) would escape RxJS as an uncaught exception.
          try {
            if (ev.kind !== 'step' || eventsMode === 'steps') eventsLog.append(JSON.stringify(ev));
            live.event(ev);
            if (ev.kind !== 'epoch') return;
            metricsLog.append(metricsRow(ev));
            curves.add(ev);
            const run = runs.find((r) => r.name === ev.model)!;
            // A BatchNorm whose running statistics are NaN or infinite is broken in eval mode: stop, as for a NaN loss.
            const bad = nonFiniteStat(run.model);
            if (bad !== undefined) {
              throw new TrainingError(
                { epoch: ev.epoch, step: stepsPerEpoch(experiments[run.experiment].train), model: run.name },
                `running statistic ${bad}; eval-mode outputs would be wrong, so the run stops (its checkpoint is from before this epoch)`,
              );
            }
            if (!run.last) return;
            next =
              ev.epoch < params.epochs
                ? { experiment: run.experiment, epoch: ev.epoch + 1 }
                : { experiment: run.experiment + 1, epoch: 1 };
            last = { model: run.name, epoch: ev.epoch };
            snapshot();
            if (Date.now() - written >= CHECKPOINT_MS) writeSnapshot();
          } catch (err) {
            void finish('failed', err);
          }
        },
        error: (err) => void finish('failed', err),
        complete: () => void finish('done'),
      }),
    );
  });
}
