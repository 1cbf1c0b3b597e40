import { concat, EMPTY, Subscription } from 'rxjs';
import { join } from 'node:path';
import type { Module } from '../nn';
import { defaultGenerator } from '../random';
import { compare$ } from '../rx/compare';
import type { TrainEvent } from '../rx/events';
import { Optimizer, resolveOptimizer } from '../rx/options';
import { modelNames, type Experiment, type Pipeline } from '../experiments';
import type { RunArgs } from './args';
import { chooseBackend, paramsFor, prepareOut, stepsPerEpoch } from './setup';
import { WriteError, writeOutput } from './atomic';
import { Checkpoint, readCheckpoint, readEvents, writeCheckpoint } from './checkpoint';
import { curvePoints, emptyRecords, eventsJsonl, metricsCsv, record, Records } from './records';
import { renderSvg, reportSpec } from './report';
import { stateDictToJSON } from './statedict';
import { plainView, ttyView, jsonView, View } from './terminal';

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
const fileName = (model: string): string => model.replace(/[^A-Za-z0-9._=-]+/g, '_');

/**
 * `rxnn run`: trains the pipeline's comparisons one after the other, shows
 * them live, checkpoints at every epoch boundary and writes the output files.
 * Resolves to the exit code: 0 done, 1 failed, 130 interrupted (SIGINT).
 */
export async function runCommand(
  args: RunArgs,
  registry: Record<string, Pipeline<any>>,
  isTTY = !!process.stdout.isTTY,
): Promise<number> {
  const pipeline = registry[args.pipeline];
  const backend = chooseBackend(args);
  const cp = args.resume ? readCheckpoint(args.resume) : undefined;
  const params = paramsFor(pipeline, args, cp);
  const out = prepareOut(args);
  const view: View = args.json ? jsonView() : isTTY ? ttyView() : plainView();

  const experiments: Experiment[] = await pipeline.setup(params as any);
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

  let rec: Records = emptyRecords();
  let next = { experiment: 0, epoch: 1 };
  if (cp) {
    for (const r of runs) {
      r.model.loadStateDict(cp.models[r.name]);
      if (cp.optimizers[r.name] !== undefined) r.optimizer.loadStateDict?.(cp.optimizers[r.name]);
    }
    defaultGenerator.setState(cp.rng);
    rec = { epochs: cp.epochs, events: readEvents(args.resume!, cp.eventCount) };
    next = cp.next;
  }

  /**
   * The run's state at the latest epoch boundary, kept in memory (cheap) and
   * written at most every CHECKPOINT_MS and when the run ends, so checkpointing
   * costs little even for long runs; Ctrl-C writes the latest one.
   */
  let snap!: Checkpoint;
  let written = 0;
  const snapshot = (): void => {
    snap = {
      version: 1,
      pipeline: pipeline.name,
      params,
      next,
      rng: defaultGenerator.getState(),
      models: Object.fromEntries(runs.map((r) => [r.name, stateDictToJSON(r.model.stateDict())])),
      optimizers: Object.fromEntries(runs.map((r) => [r.name, r.optimizer.stateDict?.()])),
      epochs: [...rec.epochs],
      eventCount: rec.events.length,
    };
  };
  /** State dicts, events and metrics up to the snapshot, then the checkpoint that points at them: each atomic. */
  const writeSnapshot = (all = false): void => {
    for (const [name, sd] of Object.entries(snap.models))
      writeOutput(join(out, 'state', `${fileName(name)}.json`), JSON.stringify(sd));
    const upTo: Records = all ? rec : { epochs: snap.epochs, events: rec.events.slice(0, snap.eventCount) };
    writeOutput(join(out, 'metrics.csv'), metricsCsv(upTo, pipeline.metric.toLowerCase()));
    writeOutput(join(out, 'events.jsonl'), eventsJsonl(upTo));
    writeCheckpoint(out, snap);
    written = Date.now();
  };
  const writeReport = async (): Promise<void> => {
    const spec = reportSpec(curvePoints(rec), {
      title: `${pipeline.name}: ${pipeline.summary}`,
      metric: pipeline.metric,
    });
    let svg: string;
    try {
      svg = await renderSvg(spec);
    } catch (err) {
      throw new WriteError(`could not render ${join(out, 'report.svg')}: ${(err as Error).message}`, { cause: err });
    }
    writeOutput(join(out, 'report.svg'), svg);
  };
  snapshot();
  if (!cp) writeSnapshot();

  const where = (n: { experiment: number; epoch: number }): string =>
    n.experiment >= experiments.length
      ? 'the end'
      : `epoch ${n.epoch}${experiments.length > 1 ? ` of ${experiments[n.experiment].group ?? `part ${n.experiment + 1}`}` : ''}`;
  const done = (r: Run): number => rec.events.filter((e) => e.kind === 'step' && e.model === r.name).length;
  view.start({
    pipeline: pipeline.name,
    summary: pipeline.summary,
    backend,
    metric: pipeline.metric,
    epochs: params.epochs,
    out,
    models: runs.map((r) => ({
      name: r.name,
      steps: params.epochs * stepsPerEpoch(experiments[r.experiment].train),
      done: done(r),
    })),
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
          }),
    ),
  );

  return new Promise<number>((resolve) => {
    let sub: Subscription | undefined;
    let finishing = false;
    // A second Ctrl-C while the files are written must not kill the process half way (files, resume hint).
    const onLateSigint = (): void => view.note('rxnn: finishing: writing the files first');
    const finish = async (status: 'done' | 'failed' | 'interrupted', error?: unknown): Promise<void> => {
      if (finishing) return;
      finishing = true;
      sub?.unsubscribe();
      process.removeListener('SIGINT', onSigint);
      process.on('SIGINT', onLateSigint);
      const errors = error === undefined ? [] : [String((error as Error)?.message ?? error)];
      const failedBefore = errors.length;
      try {
        writeSnapshot(true);
        await writeReport();
      } catch (err) {
        // A file not written fails the run, whatever it was going to end with: nothing claims it was written.
        const message = String((err as Error)?.message ?? err);
        if (!errors.includes(message)) errors.push(message);
        status = 'failed';
      }
      view.finish(rec, { status, out, ...(errors.length ? { error: errors.join('; ') } : {}) });
      if (status === 'interrupted') {
        view.note(
          `interrupted: metrics, events and report.svg so far, and a checkpoint to resume from ${where(snap.next)}, are in ${out}/; continue with: rxnn run ${pipeline.name} --resume ${out}`,
        );
      } else if (status === 'failed') {
        const gathered = errors.length === failedBefore ? [`what was gathered is in ${out}/`] : [];
        view.note([...errors.map((e) => `rxnn: ${e}`), ...gathered].join('\n'));
      } else {
        view.note(`wrote metrics.csv, events.jsonl, report.svg, state/*.json and checkpoint.json to ${out}/`);
      }
      process.removeListener('SIGINT', onLateSigint);
      resolve(status === 'done' ? 0 : status === 'failed' ? 1 : 130);
    };
    // Training yields to the event loop between batches, so this runs between two steps.
    const onSigint = (): void => void finish('interrupted');
    process.once('SIGINT', onSigint);
    sub = stream.subscribe({
      next: (ev: TrainEvent) => {
        if (finishing) return;
        // An error here (a checkpoint that cannot be written) would escape RxJS as an uncaught exception.
        try {
          record(rec, ev);
          view.event(ev);
          if (ev.kind !== 'epoch') return;
          const run = runs.find((r) => r.name === ev.model)!;
          if (!run.last) return;
          next =
            ev.epoch < params.epochs
              ? { experiment: run.experiment, epoch: ev.epoch + 1 }
              : { experiment: run.experiment + 1, epoch: 1 };
          snapshot();
          if (Date.now() - written >= CHECKPOINT_MS) writeSnapshot();
        } catch (err) {
          void finish('failed', err);
        }
      },
      error: (err) => void finish('failed', err),
      complete: () => void finish('done'),
    });
    if (finishing) sub.unsubscribe();
  });
}
