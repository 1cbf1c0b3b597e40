import { MultiBar, Presets, SingleBar } from 'cli-progress';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { ChartSeries, textChart } from './chart';
import { useColor } from './color';
import { boundedMetric } from './report';
import type { TrainEvent } from '../rx/events';
import { Records, seriesByModel } from './records';

/** What the views know about a run before it starts. */
export interface RunInfo {
  pipeline: string;
  summary: string;
  backend: string;
  metric: string;
  epochs: number;
  out: string;
  /** Each model's name and its total number of steps (for the progress bars). */
  models: { name: string; steps: number; done: number }[];
}

/** How a run shows itself: a live terminal, plain lines, or JSON lines. */
export interface View {
  start(info: RunInfo): void;
  event(ev: TrainEvent): void;
  /** A message for the person at the terminal (where files went, errors). */
  note(line: string): void;
  /** The end: final table and chart (or a last JSON event). */
  finish(rec: Records, status: Record<string, unknown>): void;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmt = (x: number | undefined): string => (x === undefined ? '—' : Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The final table: last train/test metric per model. */
export function finalTable(rec: Records, metric: string): string {
  const last = new Map<string, { epoch: number; train: number; test: number }>();
  for (const e of rec.epochs) last.set(e.model ?? 'model', e);
  const rows = [...last].map(([name, e]) => [name, String(e.epoch), fmt(e.train), fmt(e.test)]);
  return table([['model', 'epoch', `train ${metric}`, `test ${metric}`], ...rows]);
}

/** Columns to lay out in: the terminal's width, 80 where there is none (a pipe, a file). */
export const columnsOf = (stream: { columns?: number }): number =>
  stream.columns && stream.columns > 0 ? stream.columns : 80;

/** Where a chart goes: its width in columns and whether it may use colour. */
export interface ChartTarget {
  width: number;
  color: boolean;
}

/**
 * The test-metric curves as text charts, one per group of models (a pipeline's
 * comparisons, e.g. bn-momentum's batch sizes), each `width` columns at most
 * and on a scale where every model is readable (see chart.ts).
 */
export function chart(rec: Records, metric: string, target: ChartTarget): string {
  const groups = new Map<string, ChartSeries[]>();
  for (const [name, values] of seriesByModel(rec, 'test')) {
    const slash = name.indexOf('/');
    const group = slash > 0 ? name.slice(0, slash) : '';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push({ name: slash > 0 ? name.slice(slash + 1) : name, values });
  }
  const counts = [...groups.values()].flat().map((s) => s.values.filter((v) => Number.isFinite(v)).length);
  if (counts.every((n) => n < 2)) return '';
  return [...groups]
    .map(([group, series]) =>
      textChart(series, {
        title: `test ${metric} per epoch${group ? `: ${group}` : ''}`,
        width: target.width,
        color: target.color,
        allowLog: !boundedMetric(metric),
      }),
    )
    .filter(Boolean)
    .join('\n\n');
}

/** `--json`: every event as one line of JSON on stdout, nothing else there. */
export function jsonView(write: (s: string) => void = (s) => process.stdout.write(s)): View {
  return {
    start: (info) => write(JSON.stringify({ kind: 'start', ...info }) + '\n'),
    event: (ev) => write(JSON.stringify(ev) + '\n'),
    note: (line) => process.stderr.write(line + '\n'),
    finish: (_rec, status) => write(JSON.stringify({ kind: 'end', ...status }) + '\n'),
  };
}

/** The run's heading: what runs, on which backend, where the files go; wrapped to `width`. */
function heading(i: RunInfo, width: number, models: boolean): string {
  const list = models ? ` · models ${i.models.map((m) => m.name).join(', ')}` : '';
  const text = `rxnn run ${i.pipeline}: ${i.summary}\nbackend ${i.backend} · ${plural(i.epochs, 'epoch')} · metric ${i.metric}${list} · out ${i.out}`;
  return wrapAnsi(text, width, { hard: true }) + '\n';
}

/** The widest model name, for padding lines to one another. */
const nameWidth = (i: RunInfo): number => Math.max(5, ...i.models.map((m) => stringWidth(m.name)));

/**
 * Without a TTY (CI, pipes): one plain line per epoch and model, padded to the
 * longest model name; charts 80 columns wide (or `width`), colour only under FORCE_COLOR.
 */
export function plainView(
  write: (s: string) => void = (s) => process.stdout.write(s),
  target: Partial<ChartTarget> = {},
): View {
  const width = target.width ?? columnsOf(process.stdout);
  const color = target.color ?? useColor({ isTTY: false });
  let info: RunInfo;
  let w = 5;
  return {
    start(i) {
      info = i;
      w = nameWidth(i);
      write(heading(i, width, true));
    },
    event(ev) {
      if (ev.kind !== 'epoch') return;
      const name = ev.model ?? 'model';
      const e = String(ev.epoch).padStart(String(info.epochs).length);
      const m = info.metric;
      write(`${name.padEnd(w)}  epoch ${e}/${info.epochs}  train ${m} ${fmt(ev.train)}  test ${m} ${fmt(ev.test)}\n`);
    },
    note: (line) => write(line + '\n'),
    finish(rec) {
      const c = chart(rec, info.metric, { width, color });
      write(`\n${finalTable(rec, info.metric)}\n${c ? `\n${c}\n` : ''}`);
    },
  };
}

/** A number for a progress line: fixed width, so the columns stay put. */
const num = (x: number | undefined): string => fmt(x).padStart(7);

/**
 * The progress line's layout: numbers first and the bar last, so a narrow
 * terminal cuts the bar, never the numbers; the bar takes the columns left
 * (6 to 30). The metric's name is in the heading, not on every line.
 */
export function progressFormat(i: RunInfo, columns: number): { format: string; barsize: number } {
  const epochs = String(i.epochs);
  const format = ` {name}  epoch {epoch}/${epochs}  loss {loss}  train {train}  test {test}  {bar} {percentage}%`;
  const fixed = stringWidth(
    format
      .replace('{name}', ' '.repeat(nameWidth(i)))
      .replace('{epoch}', epochs)
      .replace(/\{(loss|train|test)\}/g, ' '.repeat(7))
      .replace('{bar}', '')
      .replace('{percentage}', '100'),
  );
  return { format, barsize: Math.max(6, Math.min(30, columns - fixed - 1)) };
}

/**
 * In a terminal: one progress line per model carrying the latest numbers
 * (loss, train and test metric) before its bar, then the final table and a
 * chart sized to the terminal (colour unless NO_COLOR).
 */
export function ttyView(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): View {
  let info: RunInfo;
  let multi: MultiBar | undefined;
  const bars = new Map<string, { bar: SingleBar; done: number; payload: Record<string, string> }>();
  const width = (): number => columnsOf(stream);
  return {
    start(i) {
      info = i;
      stream.write(heading(i, width(), false));
      const { format, barsize } = progressFormat(i, width());
      multi = new MultiBar({ format, hideCursor: true, barsize, autopadding: true, stream }, Presets.shades_classic);
      const w = nameWidth(i);
      const digits = String(i.epochs).length;
      for (const m of i.models) {
        const payload = {
          name: m.name.padEnd(w),
          epoch: '0'.padStart(digits),
          loss: num(undefined),
          train: num(undefined),
          test: num(undefined),
        };
        bars.set(m.name, { bar: multi.create(m.steps, m.done, payload), done: m.done, payload });
      }
    },
    event(ev) {
      const b = bars.get(ev.model ?? 'model');
      if (!b) return;
      if (ev.kind === 'step') {
        b.done++;
        Object.assign(b.payload, { epoch: String(ev.epoch).padStart(String(info.epochs).length), loss: num(ev.loss) });
      } else if (ev.kind === 'epoch') {
        Object.assign(b.payload, { train: num(ev.train), test: num(ev.test) });
      } else return;
      b.bar.update(b.done, b.payload);
    },
    // Wrapped to the terminal: the progress bars' writer would cut a longer line.
    note: (line) => {
      const text = wrapAnsi(line, width(), { hard: true }) + '\n';
      // Over the bars, each line clears the rest of the bar line it replaces (cli-progress clears only the first).
      if (multi) multi.log(text.replace(/\n/g, '\x1b[0K\n'));
      else stream.write(text);
    },
    finish(rec) {
      // A last redraw first: it writes the notes log() buffered, which stop() would drop.
      multi?.update();
      multi?.stop();
      multi = undefined;
      const c = chart(rec, info.metric, { width: width(), color: useColor(stream, env) });
      stream.write(`\n${finalTable(rec, info.metric)}\n${c ? `\n${c}\n` : ''}`);
    },
  };
}
