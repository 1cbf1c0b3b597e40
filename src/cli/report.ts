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

/**
 * The vega-lite spec: x epoch, y metric, colour per model, dash per split: one line per (model, split).
 * A positive metric spanning a factor of 10 or more (a loss that spikes, or falls by decades) gets a
 * log axis, so that the other curves are not flattened against zero.
 */
export function reportSpec(points: CurvePoint[], options: { title: string; metric: string }): Record<string, unknown> {
  const values = points.map((p) => p.value).filter(Number.isFinite);
  const lo = Math.min(...values),
    hi = Math.max(...values);
  const log = values.length > 0 && lo > 0 && hi / lo >= 10;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: 560,
    height: 320,
    data: { values: points },
    mark: { type: 'line', point: false, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: log
        ? { field: 'value', type: 'quantitative', title: `${options.metric} (log scale)`, scale: { type: 'log' } }
        : { field: 'value', type: 'quantitative', title: options.metric, scale: { zero: false } },
      color: { field: 'model', type: 'nominal', title: 'model' },
      strokeDash: { field: 'split', type: 'nominal', title: 'data', sort: ['train', 'test'] },
      order: { field: 'epoch', type: 'quantitative' },
    },
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
