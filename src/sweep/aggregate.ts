import { describeSample, paired, type Paired, type Stats } from './stats';
import { settingLabel, type Setting } from './grid';
import { decode, type RunResult } from './run-one';
import type { RunSpec } from './spec';

/** One model's statistics at one epoch of one setting, on the train or test data. */
export interface EpochStats extends Stats {
  settingIndex: number;
  model: string;
  epoch: number;
  split: 'train' | 'test';
}

/** Two models of one setting compared seed by seed on the final test metric. */
export interface Comparison extends Paired {
  settingIndex: number;
  a: string;
  b: string;
}

/** A sweep's statistics so far. */
export interface SweepSummary {
  settings: Setting[];
  /** Models in the pipeline's order. */
  models: string[];
  /** Per setting, model, epoch and split. */
  epochs: EpochStats[];
  /** Per setting: the models' final-epoch test statistics, best first. */
  ranking: { settingIndex: number; rows: EpochStats[] }[];
  comparisons: Comparison[];
  /** Per setting with any: runs that stopped when a model's loss diverged, by that model, out of the runs finished. */
  diverged: { settingIndex: number; runs: number; of: number; byModel: Record<string, number> }[];
  lowerIsBetter: boolean;
}

/** The group of a model name (`batch10/m=0.1` → `batch10`): only models of one group are compared. */
const groupOf = (model: string): string => (model.includes('/') ? model.slice(0, model.lastIndexOf('/')) : '');

/**
 * Statistics of the finished runs: each metric per setting, model and epoch
 * over the seeds; the final ranking; and each pair of models (of one group)
 * compared over the seeds both finished. `metric` 'accuracy' ranks higher first, any other lower first.
 *
 * @example
 * const s = summarize(specs, results, 'MSE');
 * s.comparisons[0]; // { a: 'none', b: 'pre', diff: { mean: …, ciLow: …, ciHigh: … }, aBetter: …, … }
 */
export function summarize(
  runs: readonly RunSpec[],
  results: ReadonlyMap<string, RunResult>,
  metric: string,
): SweepSummary {
  const lowerIsBetter = !/acc/i.test(metric);
  const settings: Setting[] = [];
  for (const r of runs) settings[r.settingIndex] = r.setting;
  const models: string[] = [];
  // values[setting][model][epoch][split] = one value per seed that finished, in seed order (seed → value).
  const values = new Map<string, Map<number, number>>();
  const key = (s: number, m: string, e: number, split: string): string => `${s}\u0000${m}\u0000${e}\u0000${split}`;
  let lastEpoch = 0;
  for (const r of runs) {
    const res = results.get(r.id);
    if (!res) continue;
    for (const [model, epoch, train, test] of res.rows) {
      if (!models.includes(model)) models.push(model);
      lastEpoch = Math.max(lastEpoch, epoch);
      for (const [split, v] of [
        ['train', train],
        ['test', test],
      ] as const) {
        const k = key(r.settingIndex, model, epoch, split);
        if (!values.has(k)) values.set(k, new Map());
        values.get(k)!.set(r.seed, decode(v));
      }
    }
  }
  const epochs: EpochStats[] = [];
  settings.forEach((_, settingIndex) => {
    for (const model of models)
      for (let epoch = 1; epoch <= lastEpoch; epoch++)
        for (const split of ['train', 'test'] as const) {
          const v = values.get(key(settingIndex, model, epoch, split));
          if (v) epochs.push({ settingIndex, model, epoch, split, ...describeSample([...v.values()]) });
        }
  });
  const better = (x: number, y: number): number =>
    Number.isNaN(x) ? 1 : Number.isNaN(y) ? -1 : lowerIsBetter ? x - y : y - x;
  const ranking = settings.map((_, settingIndex) => ({
    settingIndex,
    rows: epochs
      .filter((e) => e.settingIndex === settingIndex && e.split === 'test' && e.epoch === lastEpoch)
      .sort((a, b) => better(a.mean, b.mean)),
  }));
  const comparisons: Comparison[] = [];
  settings.forEach((_, settingIndex) => {
    const seedsOf = (m: string): Map<number, number> =>
      values.get(key(settingIndex, m, lastEpoch, 'test')) ?? new Map<number, number>();
    for (let i = 0; i < models.length; i++)
      for (let j = i + 1; j < models.length; j++) {
        const [a, b] = [models[i], models[j]];
        if (groupOf(a) !== groupOf(b)) continue;
        const va = seedsOf(a);
        const vb = seedsOf(b);
        const seeds = [...va.keys()].filter((s) => vb.has(s));
        if (!seeds.length) continue;
        const p = paired(
          seeds.map((s) => va.get(s)!),
          seeds.map((s) => vb.get(s)!),
          lowerIsBetter,
        );
        comparisons.push({ settingIndex, a, b, ...p });
      }
  });
  const diverged = settings
    .map((_, settingIndex) => {
      const finished = runs.filter((r) => r.settingIndex === settingIndex && results.has(r.id));
      const byModel: Record<string, number> = {};
      for (const r of finished) {
        const d = results.get(r.id)!.diverged;
        if (d) byModel[d.model] = (byModel[d.model] ?? 0) + 1;
      }
      const n = Object.values(byModel).reduce((a, b) => a + b, 0);
      return { settingIndex, runs: n, of: finished.length, byModel };
    })
    .filter((d) => d.runs > 0);
  return { settings, models, epochs, ranking, comparisons, diverged, lowerIsBetter };
}

/** A number for people: four significant digits, a true minus sign; '—' for NaN (a CI of one value). */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return String(x);
  const s = Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toPrecision(4);
  return s.replace(/^-/, '−');
}

/**
 * One comparison as a sentence (without `metric`, the metric is left to a heading).
 *
 * @example
 * // 'pre vs post, test MSE: −1.210 [−1.630, −0.7900], pre better on 27 of 30 seeds'
 */
export function comparisonLine(c: Comparison, metric?: string): string {
  const n = c.aBetter + c.bBetter + c.ties;
  const side =
    c.aBetter === c.bBetter
      ? `each better on ${c.aBetter} of ${n} seeds`
      : c.aBetter > c.bBetter
        ? `${c.a} better on ${c.aBetter} of ${n} seeds`
        : `${c.b} better on ${c.bBetter} of ${n} seeds`;
  const ties = c.ties ? `, ${c.ties} tied` : '';
  const d = c.diff;
  return `${c.a} vs ${c.b}${metric ? `, test ${metric}` : ''}: ${fmt(d.mean)} [${fmt(d.ciLow)}, ${fmt(d.ciHigh)}], ${side}${ties}`;
}

/** The final table as rows of cells (header first), per setting: rank, model, mean [95% CI], sd, median, n. */
export function rankingRows(s: SweepSummary, metric: string): string[][] {
  const multi = s.settings.length > 1 || Object.keys(s.settings[0] ?? {}).length > 0;
  const head = [...(multi ? ['setting'] : []), 'rank', 'model', `test ${metric} mean [95% CI]`, 'sd', 'median', 'n'];
  const rows = s.ranking.flatMap(({ settingIndex, rows: rs }) =>
    rs.map((e, i) => [
      ...(multi ? [settingLabel(s.settings[settingIndex])] : []),
      String(i + 1),
      e.model,
      `${fmt(e.mean)} [${fmt(e.ciLow)}, ${fmt(e.ciHigh)}]`,
      fmt(e.sd),
      fmt(e.median),
      e.nonFinite ? `${e.n} (+${e.nonFinite} non-finite)` : String(e.n),
    ]),
  );
  return [head, ...rows];
}
