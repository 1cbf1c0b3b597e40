import type { EpochEvent, TrainEvent } from '../rx/events';
import type { CurvePoint } from './report';

/**
 * What a run gathers: every event (for events.jsonl) and the per-epoch metrics
 * (for metrics.csv, report.svg and the final chart). A checkpoint stores it, so
 * a resumed run's files carry the whole history.
 */
export interface Records {
  events: Record<string, unknown>[];
  epochs: EpochEvent[];
}

export const emptyRecords = (): Records => ({ events: [], epochs: [] });

export function record(rec: Records, ev: TrainEvent | Record<string, unknown>): void {
  rec.events.push(ev as Record<string, unknown>);
  if (ev.kind === 'epoch') rec.epochs.push(ev as EpochEvent);
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** metrics.csv: one row per model and epoch. */
export function metricsCsv(rec: Records, metric: string): string {
  const rows = rec.epochs.map((e) => `${csvField(e.model ?? '')},${e.epoch},${e.train},${e.test}`);
  return [`model,epoch,train_${metric},test_${metric}`, ...rows].join('\n') + '\n';
}

/** events.jsonl: one JSON event per line. */
export function eventsJsonl(rec: Records): string {
  return rec.events.map((e) => JSON.stringify(e)).join('\n') + (rec.events.length ? '\n' : '');
}

/** The curves: one train and one test series per model. */
export function curvePoints(rec: Records): CurvePoint[] {
  return rec.epochs.flatMap((e) => [
    { model: e.model ?? 'model', epoch: e.epoch, split: 'train' as const, value: e.train },
    { model: e.model ?? 'model', epoch: e.epoch, split: 'test' as const, value: e.test },
  ]);
}

/** Test-metric series per model, in first-seen order (for the terminal chart). */
export function seriesByModel(rec: Records, split: 'train' | 'test'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of rec.epochs) {
    const name = e.model ?? 'model';
    if (!out.has(name)) out.set(name, []);
    out.get(name)![e.epoch - 1] = e[split];
  }
  return out;
}
