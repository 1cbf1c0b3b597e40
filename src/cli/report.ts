/**
 * report.svg: train and test curves per model, from a vega-lite spec rendered by
 * vega's headless SVG renderer (no browser, no canvas). vega and vega-lite are
 * ESM-only, so they are loaded with a real dynamic import, which TypeScript's
 * node16 module mode keeps as `import()` in the CommonJS output.
 */

/** One point of one curve. */
export interface CurvePoint {
  model: string;
  epoch: number;
  split: 'train' | 'test';
  value: number;
}

/** Whether a metric is bounded to 0..1 (accuracy): it gets a linear axis from 0 to 1, never a log one. */
export const boundedMetric = (metric: string): boolean => /accuracy/i.test(metric);

/** What the report's heading says: the pipeline and its settings, and the seed and backend under it. */
export interface ReportOptions {
  /** The title's first line, e.g. the pipeline's name. */
  title: string;
  metric: string;
  /** The run's settings, as `key value` pairs after the title (the seed goes to the subtitle). */
  settings?: Record<string, unknown>;
  /** Subtitle lines, e.g. the summary, the seed and the backend. */
  subtitle?: string[];
}

/** `words` joined by `sep` into lines of at most `width` characters (a word longer than that gets a line of its own). */
export function pack(words: string[], width: number, sep: string): string[] {
  const lines: string[] = [];
  for (const w of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + sep.length + w.length <= width) lines[lines.length - 1] = last + sep + w;
    else lines.push(w);
  }
  return lines;
}

/** Settings as text lines of at most `width` characters: `epochs 20 · lr 0.03 · …`, after `lead` on the first. */
export function settingsText(settings: Record<string, unknown>, width = 90, lead = ''): string[] {
  const parts = Object.entries(settings).map(
    ([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : typeof v === 'bigint' ? v.toString() : String(v)}`,
  );
  if (lead) parts[0] = parts.length ? `${lead} ${parts[0]}` : lead;
  return pack(parts, width, ' · ');
}

/**
 * Characters a heading line may have at `fontSize` over `px` pixels: vega
 * sizes the image by its estimate of text width (0.8 em per character, with
 * no canvas to measure), so a longer line would widen the image past the plot.
 */
const charsFor = (px: number, fontSize: number): number => Math.floor(px / (0.8 * fontSize));
const TITLE_SIZE = 14;
const SUBTITLE_SIZE = 12;

/** A curve's model and group: `batch10/m=0.5` is model `m=0.5` in group `batch10`. */
function splitName(model: string): { group: string; name: string } {
  const slash = model.indexOf('/');
  return slash > 0 ? { group: model.slice(0, slash), name: model.slice(slash + 1) } : { group: '', name: model };
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/**
 * The vega-lite spec: x epoch (from 1), y metric, colour per model in run
 * order, dash per split: one line per (model, split). Models named `group/name`
 * are faceted by group, one panel per group with one line per name. Accuracy
 * gets a linear axis from 0 to 1; another positive metric spanning a factor of
 * 10 or more (a loss that spikes, or falls by decades) gets a log axis, so that
 * the other curves are not flattened against zero.
 */
export function reportSpec(points: CurvePoint[], options: ReportOptions): Record<string, unknown> {
  const values = points.map((p) => p.value).filter(Number.isFinite);
  const lo = Math.min(...values),
    hi = Math.max(...values);
  const bounded = boundedMetric(options.metric);
  const log = !bounded && values.length > 0 && lo > 0 && hi / lo >= 10;
  const rows = points.map((p) => ({ ...p, ...splitName(p.model) }));
  const names = unique(rows.map((r) => r.name));
  const groups = unique(rows.map((r) => r.group));
  const faceted = groups.length > 1 || (groups.length === 1 && groups[0] !== '');
  const lastEpoch = Math.max(2, ...points.map((p) => p.epoch));
  const y = bounded
    ? { field: 'value', type: 'quantitative', title: options.metric, scale: { domain: [0, 1], nice: false } }
    : log
      ? { field: 'value', type: 'quantitative', title: `${options.metric} (log scale)`, scale: { type: 'log' } }
      : { field: 'value', type: 'quantitative', title: options.metric, scale: { zero: false } };
  const encoding = {
    x: {
      field: 'epoch',
      type: 'quantitative',
      title: 'epoch',
      scale: { domain: [1, lastEpoch], nice: false },
      axis: { tickMinStep: 1, format: 'd' },
    },
    y,
    color: {
      field: 'name',
      type: 'nominal',
      title: 'model',
      sort: names,
      scale: { domain: names, scheme: names.length > 10 ? 'category20' : 'tableau10' },
      legend: { orient: 'right' },
    },
    strokeDash: { field: 'split', type: 'nominal', title: 'data', sort: ['train', 'test'] },
    order: { field: 'epoch', type: 'quantitative' },
  };
  const mark = { type: 'line', point: false, strokeWidth: 2, clip: true };
  const panelWidth = groups.length > 2 ? 300 : 420;
  const px = (faceted ? groups.length * (panelWidth + 20) : 560) + 110;
  const text = options.settings
    ? settingsText(options.settings, charsFor(px, TITLE_SIZE), `${options.title}:`)
    : [options.title];
  const subtitle = (options.subtitle ?? []).flatMap((l) => pack(l.split(' '), charsFor(px, SUBTITLE_SIZE), ' '));
  const title = {
    text,
    ...(subtitle.length ? { subtitle } : {}),
    anchor: 'start',
    fontSize: TITLE_SIZE,
    subtitleFontSize: SUBTITLE_SIZE,
  };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    autosize: { type: 'pad' },
  };
  if (!faceted) return { ...base, width: 560, height: 320, mark, encoding };
  return {
    ...base,
    facet: { column: { field: 'group', type: 'nominal', title: null, sort: groups, header: { labelFontSize: 13 } } },
    spec: { width: panelWidth, height: 300, mark, encoding },
  };
}

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The report's heading for a run: the pipeline's name and settings in the
 * title; its summary, the seed and the backend in the subtitle.
 */
export function reportOptions(
  pipeline: { name: string; summary: string; metric: string },
  params: Record<string, unknown>,
  backend: string,
): ReportOptions {
  const { seed, ...settings } = params;
  const seedText = typeof seed === 'bigint' ? seed.toString() : String(seed);
  return {
    title: pipeline.name,
    metric: pipeline.metric,
    settings,
    subtitle: [pipeline.summary, `seed ${seedText} · backend ${backend}`],
  };
}
