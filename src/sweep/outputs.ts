import { parse } from 'csv-parse/sync';
import type { SweepSummary } from './aggregate';
import { settingLabel, type GridAxis } from './grid';
import { decode, encode, type EpochRow, type RunResult } from './run-one';
import type { RunSpec } from './spec';

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const num = (x: number): string => String(x);
const cell = (v: unknown): string => csvField(typeof v === 'string' ? v : JSON.stringify(v));

/**
 * runs.csv: a row per run, model and epoch, runs by setting then seed, rows in
 * the order the pipeline emitted them. Numbers are written in full (shortest
 * round-trip), so the file reads back to the same bits and two sweeps that
 * computed the same numbers write the same bytes, whatever ran them.
 */
export function runsCsv(
  runs: readonly RunSpec[],
  results: ReadonlyMap<string, RunResult>,
  axes: readonly GridAxis[],
  metric: string,
): string {
  const m = metric.toLowerCase();
  const head = ['run', 'seed', ...axes.map((a) => a.key), 'model', 'epoch', `train_${m}`, `test_${m}`];
  const lines = [head.map(csvField).join(',')];
  for (const r of [...runs].sort((a, b) => a.settingIndex - b.settingIndex)) {
    const res = results.get(r.id);
    if (!res) continue;
    for (const [model, epoch, train, test] of res.rows) {
      const fields = [r.id, String(r.seed), ...axes.map((a) => cell(r.setting[a.key])), csvField(model), String(epoch)];
      lines.push([...fields, num(decode(train)), num(decode(test))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** The results a runs.csv holds, by run id (what `--resume` skips). */
export function parseRunsCsv(text: string): Map<string, RunResult> {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const out = new Map<string, RunResult>();
  for (const rec of records) {
    const keys = Object.keys(rec);
    const [train, test] = keys.slice(-2);
    const row: EpochRow = [rec.model, Number(rec.epoch), encode(Number(rec[train])), encode(Number(rec[test]))];
    if (!out.has(rec.run)) out.set(rec.run, { rows: [] });
    out.get(rec.run)!.rows.push(row);
  }
  return out;
}

/** summary.csv: per setting, model, epoch and split: n, mean, sd, median and the 95% CI. */
export function summaryCsv(s: SweepSummary, axes: readonly GridAxis[]): string {
  const head = [
    ...axes.map((a) => a.key),
    'model',
    'epoch',
    'split',
    'n',
    'non_finite',
    'mean',
    'sd',
    'median',
    'ci95_low',
    'ci95_high',
  ];
  const lines = [head.map(csvField).join(',')];
  for (const e of s.epochs) {
    const setting = s.settings[e.settingIndex];
    lines.push(
      [
        ...axes.map((a) => cell(setting[a.key])),
        csvField(e.model),
        String(e.epoch),
        e.split,
        String(e.n),
        String(e.nonFinite),
        ...[e.mean, e.sd, e.median, e.ciLow, e.ciHigh].map(num),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** `batch10/m=0.1` → group `batch10`, name `m=0.1`; a name without a group has group ''. */
const splitName = (model: string): [string, string] => {
  const i = model.lastIndexOf('/');
  return i < 0 ? ['', model] : [model.slice(0, i), model.slice(i + 1)];
};

/**
 * report.svg's vega-lite spec: the test metric's mean per model over the epochs
 * with its 95% CI as a band; one panel per setting (rows) and per model group
 * (columns, e.g. bn-momentum's batch sizes), models coloured alike across panels.
 * A positive metric whose means span a factor of 10 gets a log axis, as `rxnn run`'s report does.
 */
export function sweepReportSpec(
  s: SweepSummary,
  options: { title: string; metric: string; seeds: number },
): Record<string, unknown> {
  const values = s.epochs
    .filter((e) => e.split === 'test' && Number.isFinite(e.mean))
    .map((e) => {
      const [group, model] = splitName(e.model);
      return {
        setting: settingLabel(s.settings[e.settingIndex]),
        group,
        model,
        epoch: e.epoch,
        mean: e.mean,
        low: Number.isFinite(e.ciLow) ? e.ciLow : e.mean,
        high: Number.isFinite(e.ciHigh) ? e.ciHigh : e.mean,
      };
    });
  // A log axis where the means span a factor of 10 (a run that nearly diverged); a band's lower end
  // (a mean minus a wide CI can be negative) is then cut at a tenth of the smallest mean.
  const means = values.map((v) => v.mean);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const log = means.length > 0 && lo > 0 && hi / lo >= 10;
  if (log) for (const v of values) v.low = Math.max(v.low, lo / 10);
  const names = [...new Set(s.models.map((m) => splitName(m)[1]))];
  const groups = [...new Set(s.models.map((m) => splitName(m)[0]))];
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: `test ${options.metric}, mean and 95% CI over ${options.seeds} seeds${log ? ' (log scale)' : ''}`,
    scale: log ? { type: 'log' } : { zero: false },
  };
  const panel = {
    width: groups.length > 1 ? 360 : 560,
    height: 280,
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      color: { field: 'model', type: 'nominal', title: 'model', sort: names },
    },
    layer: [
      { mark: { type: 'errorband', opacity: 0.2 }, encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } } },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y } },
    ],
  };
  const facet = {
    ...(s.settings.length > 1
      ? { row: { field: 'setting', type: 'nominal', title: null, sort: s.settings.map(settingLabel) } }
      : {}),
    ...(groups.length > 1 ? { column: { field: 'group', type: 'nominal', title: null, sort: groups } } : {}),
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    data: { values },
    // Each panel its own y scale: one setting's spread must not flatten another's curves.
    ...(Object.keys(facet).length ? { facet, spec: panel, resolve: { scale: { y: 'independent' } } } : panel),
  };
}
