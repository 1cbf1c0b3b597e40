import * as asciichart from 'asciichart';
import { MultiBar, Presets, SingleBar } from 'cli-progress';
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

const COLORS = [
  asciichart.blue,
  asciichart.red,
  asciichart.green,
  asciichart.magenta,
  asciichart.cyan,
  asciichart.yellow,
];
const label = (x: number): string => x.toFixed(4).padStart(10);

/**
 * The test-metric curves as a text chart. asciichart tells series apart only by
 * colour, so with colour all models share one chart and without it (no TTY)
 * each model gets its own smaller chart on the same scale.
 */
export function chart(rec: Records, metric: string, color: boolean): string {
  const series = seriesByModel(rec, 'test');
  const names = [...series.keys()];
  const values = names.map((n) => series.get(n)!.filter((v) => Number.isFinite(v)));
  if (!values.length || values.every((v) => v.length < 2)) return '';
  if (color) {
    const plot = asciichart.plot(values, {
      height: 12,
      colors: names.map((_, i) => COLORS[i % COLORS.length]),
      format: label,
    });
    const legend = names.map((n, i) => `${COLORS[i % COLORS.length]}━━${asciichart.reset} ${n}`);
    return `test ${metric} per epoch\n${plot}\n${legend.join('   ')}`;
  }
  const all = values.flat();
  const [min, max] = [Math.min(...all), Math.max(...all)];
  return names
    .map((n, i) => {
      const plot = asciichart.plot(values[i], { height: 6, min, max, format: label });
      return `test ${metric} per epoch: ${n}\n${plot}`;
    })
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

/** Without a TTY (CI, pipes): one plain line per epoch and model, no escape codes. */
export function plainView(write: (s: string) => void = (s) => process.stdout.write(s)): View {
  let info: RunInfo;
  return {
    start(i) {
      info = i;
      write(
        `rxnn run ${i.pipeline}: ${i.summary}\nbackend ${i.backend} · ${plural(i.epochs, 'epoch')} · models ${i.models.map((m) => m.name).join(', ')} · out ${i.out}\n`,
      );
    },
    event(ev) {
      if (ev.kind !== 'epoch') return;
      const w = String(info.epochs).length;
      write(
        `${(ev.model ?? 'model').padEnd(12)} epoch ${String(ev.epoch).padStart(w)}/${info.epochs}  train ${info.metric} ${fmt(ev.train)}  test ${info.metric} ${fmt(ev.test)}\n`,
      );
    },
    note: (line) => write(line + '\n'),
    finish(rec) {
      const c = chart(rec, info.metric, false);
      write(`\n${finalTable(rec, info.metric)}\n${c ? `\n${c}\n` : ''}`);
    },
  };
}

/**
 * In a terminal: one progress bar per model whose line doubles as the live
 * table (latest loss and train/test metric), then the final table and a
 * coloured chart.
 */
export function ttyView(stream: NodeJS.WriteStream = process.stdout): View {
  let info: RunInfo;
  let multi: MultiBar | undefined;
  const bars = new Map<string, { bar: SingleBar; done: number; payload: Record<string, string> }>();
  return {
    start(i) {
      info = i;
      stream.write(
        `rxnn run ${i.pipeline}: ${i.summary}\nbackend ${i.backend} · ${plural(i.epochs, 'epoch')} · out ${i.out}\n`,
      );
      multi = new MultiBar(
        {
          format: ` {name} {bar} {percentage}% | epoch {epoch}/${i.epochs} | loss {loss} | train {train} | test {test}`,
          hideCursor: true,
          barsize: 24,
          autopadding: true,
          stream,
        },
        Presets.shades_classic,
      );
      const width = Math.max(...i.models.map((m) => m.name.length));
      for (const m of i.models) {
        const payload = { name: m.name.padEnd(width), epoch: '0', loss: '—', train: '—', test: '—' };
        bars.set(m.name, { bar: multi!.create(m.steps, m.done, payload), done: m.done, payload });
      }
    },
    event(ev) {
      const b = bars.get(ev.model ?? 'model');
      if (!b) return;
      if (ev.kind === 'step') {
        b.done++;
        Object.assign(b.payload, { epoch: String(ev.epoch), loss: fmt(ev.loss) });
      } else if (ev.kind === 'epoch') {
        Object.assign(b.payload, { train: fmt(ev.train), test: fmt(ev.test) });
      } else return;
      b.bar.update(b.done, b.payload);
    },
    note: (line) => (multi ? multi.log(line + '\n') : stream.write(line + '\n')),
    finish(rec) {
      multi?.stop();
      multi = undefined;
      const c = chart(rec, info.metric, true);
      stream.write(`\n${finalTable(rec, info.metric)}\n${c ? `\n${c}\n` : ''}`);
    },
  };
}
