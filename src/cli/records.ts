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

/** metrics.csv's header line. */
export const metricsHeader = (metric: string): string => `model,epoch,train_${metric},test_${metric}`;

/** One metrics.csv row (without its newline): model, epoch, train and test metric (NaN and Infinity as JavaScript prints them). */
export const metricsRow = (e: EpochEvent): string => `${csvField(e.model ?? '')},${e.epoch},${e.train},${e.test}`;

/** metrics.csv: one row per model and epoch. */
export function metricsCsv(rec: Records, metric: string): string {
  return [metricsHeader(metric), ...rec.epochs.map(metricsRow)].join('\n') + '\n';
}

/** A metrics.csv row back as an epoch event, or undefined when it is not one. */
export function parseMetricsRow(line: string): EpochEvent | undefined {
  const m = /^("(?:[^"]|"")*"|[^,"]*),(\d+),([^,]+),([^,]+)$/.exec(line);
  if (!m) return undefined;
  const model = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
  const [train, test] = [Number(m[3]), Number(m[4])];
  if (Number.isNaN(train) && m[3] !== 'NaN') return undefined;
  if (Number.isNaN(test) && m[4] !== 'NaN') return undefined;
  return { kind: 'epoch', model, epoch: Number(m[2]), train, test };
}

/**
 * The epochs a run keeps in memory for its charts: at most about `max` (every
 * epoch while there are few, then every 2nd, 4th…, epoch 1 always), plus each
 * model's latest. Memory stays flat however long the run; the files have every epoch.
 */
export class Curves {
  private stride = 1;
  private kept: EpochEvent[] = [];
  private readonly latest = new Map<string, EpochEvent>();

  constructor(private readonly max = 1500) {}

  add(e: EpochEvent): void {
    this.latest.set(e.model ?? 'model', e);
    if ((e.epoch - 1) % this.stride !== 0) return;
    this.kept.push(e);
    if (this.kept.length > this.max) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => (k.epoch - 1) % this.stride === 0);
    }
  }

  /** The kept epochs and each model's latest, as Records for the views and report.svg. */
  records(): Records {
    const kept = new Set(this.kept);
    return { events: [], epochs: [...this.kept, ...[...this.latest.values()].filter((e) => !kept.has(e))] };
  }
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
