import { MonoTypeOperatorFunction, Subject } from 'rxjs';
import { BatchNorm } from '../nn';
import type { TrainEvent } from '../rx/events';
import { runningStats } from '../rx/running-stats';
import { serve, ServeHandle } from '../rx/serve';
import { bnWarnings } from '../rx/warnings';
import type { Experiment } from '../experiments';
import type { RunArgs } from './args';
import type { View } from './terminal';

/** A view that also feeds the dashboard, and keeps it serving after the run. */
export type LiveView = View & {
  /** After the run: with --serve (and not interrupted), serves the finished run until Ctrl-C. */
  linger(status: 'done' | 'failed' | 'interrupted'): Promise<void>;
};

/** A warning as one terminal line: where, what, and the fix. */
export const warningLine = (ev: Extract<TrainEvent, { kind: 'warning' }>): string =>
  `rxnn: warning: ${ev.model ? `${ev.model} ` : ''}layer ${ev.layer}: ${ev.message}; fix: ${ev.fix}`;

/**
 * What `rxnn run` adds to an experiment's stream: BatchNorm pitfall warnings
 * always, and with the dashboard each BatchNorm model's running and batch
 * statistics after every step.
 */
export function watchExperiment(e: Experiment, names: string[], stats: boolean): MonoTypeOperatorFunction<TrainEvent> {
  const withBn = e.models
    .map((model, i) => ({ model, name: names[i] }))
    .filter(({ model }) => model.modules().some((m) => m instanceof BatchNorm));
  const ops = stats ? withBn.map(({ model, name }) => runningStats<TrainEvent>(model, { name, batch: true })) : [];
  return (source) =>
    ops.reduce((s, op) => s.pipe(op), source.pipe(bnWarnings<TrainEvent>({ models: e.models, names, train: e.train })));
}

/**
 * Wraps the terminal view: warnings go to the terminal as notes and, with
 * `--serve`, every event goes to the dashboard (rx.serve), which starts here so
 * its URL is printed with the run's header. `earlier` are a resumed run's events,
 * served first so ids stay the line numbers of events.jsonl.
 */
export async function liveView(
  view: View,
  args: RunArgs,
  earlier: readonly Record<string, unknown>[],
  params: Record<string, unknown>,
): Promise<LiveView> {
  let handle: ServeHandle | undefined;
  const events = new Subject<unknown>();
  // A seed beyond 2^53 is a bigint, which JSON lacks.
  const seed = typeof params.seed === 'bigint' ? String(params.seed) : params.seed;
  const run: Record<string, unknown> = { params: { ...params, seed } };
  if (args.serve !== undefined) {
    handle = await serve(events, { port: args.serve, host: args.host, run });
    for (const ev of earlier) events.next(ev);
  }
  return {
    start(info) {
      Object.assign(run, { ...info, out: undefined });
      view.start(info);
      if (handle) view.note(`rxnn: dashboard at ${handle.url}`);
    },
    event(ev) {
      events.next(ev);
      if (ev.kind === 'warning') view.note(warningLine(ev));
      view.event(ev);
    },
    note: (line) => view.note(line),
    finish(rec, status) {
      if (status.status === 'done') events.complete();
      else events.error(new Error(String(status.error ?? status.status)));
      view.finish(rec, status);
    },
    async linger(status) {
      if (!handle) return;
      if (status !== 'interrupted') {
        view.note(`rxnn: serving the finished run at ${handle.url} until Ctrl-C`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      await handle.close();
    },
  };
}
