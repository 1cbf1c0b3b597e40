import { describe, it, expect } from 'vitest';
import { renderSvg, reportOptions, reportSpec, settingsText, CurvePoint } from '../../src/cli/report';
import { curvePaths, parseSvg } from './svg';

describe('report.svg', () => {
  it('renders headless to SVG with one path per curve (train and test per model)', async () => {
    const points: CurvePoint[] = [];
    for (const model of ['none', 'pre', 'post']) {
      for (let epoch = 1; epoch <= 4; epoch++) {
        points.push(
          { model, epoch, split: 'train', value: 1 / epoch },
          { model, epoch, split: 'test', value: 1.5 / epoch },
        );
      }
    }
    const svg = await renderSvg(reportSpec(points, { title: 'bn-placement', metric: 'MSE' }));
    const els = parseSvg(svg);
    const paths = curvePaths(els);
    expect(paths).toHaveLength(6);
    // Each path is one curve: its label names a model and a split, and it has one vertex per epoch.
    const labels = paths.map((p) => /model: (\w+); data: (\w+)/.exec(p.attrs['aria-label'])!.slice(1).join('/')).sort();
    expect(labels).toEqual(['none/test', 'none/train', 'post/test', 'post/train', 'pre/test', 'pre/train']);
    for (const p of paths) expect(p.attrs.d.match(/[ML]/g)).toHaveLength(4);
  });

  it('a positive metric spanning 10x or more gets a log axis; accuracy-like ranges stay linear', async () => {
    const at = (values: number[]) =>
      values.map((value, i) => ({ model: 'm', epoch: i + 1, split: 'test' as const, value }));
    const y = (values: number[]) => (reportSpec(at(values), { title: 't', metric: 'MSE' }).encoding as any).y;
    expect(y([0.37, 2.2, 49]).scale).toEqual({ type: 'log' });
    expect(y([0.37, 2.2, 49]).title).toBe('MSE (log scale)');
    expect(y([0.5, 0.9, 1]).scale).toEqual({ zero: false });
    expect(y([0, 2, 49]).scale).toEqual({ zero: false }); // a zero has no logarithm
    expect(y([0.5, NaN, 4]).scale).toEqual({ zero: false }); // non-finite values do not count: 8x
    expect(y([0.5, Infinity, 9]).scale).toEqual({ type: 'log' });
    const svg = await renderSvg(reportSpec(at([0.37, 2.2, 49]), { title: 't', metric: 'MSE' }));
    expect(curvePaths(parseSvg(svg))).toHaveLength(1);
  });

  it('accuracy gets a linear axis from 0 to 1, even when an epoch-1 value is near 0', () => {
    const points: CurvePoint[] = [0.029, 0.5, 0.9].map((value, i) => ({
      model: 'pre',
      epoch: i + 1,
      split: 'test',
      value,
    }));
    const y = (reportSpec(points, { title: 't', metric: 'accuracy' }).encoding as any).y;
    expect(y.scale).toEqual({ domain: [0, 1], nice: false });
    expect(y.title).toBe('accuracy');
  });

  it('groups become facets with one line per name; the legend is in run order; x runs from epoch 1', () => {
    const points: CurvePoint[] = [];
    for (const g of ['batch10', 'batch100'])
      for (const m of ['m=0.9', 'm=0.01', 'm=0.5'])
        for (let epoch = 1; epoch <= 3; epoch++)
          points.push({ model: `${g}/${m}`, epoch, split: 'test', value: epoch });
    const spec = reportSpec(points, { title: 't', metric: 'MSE' }) as any;
    expect(spec.facet.column).toMatchObject({ field: 'group', sort: ['batch10', 'batch100'] });
    expect(spec.spec.encoding.color).toMatchObject({ field: 'name', sort: ['m=0.9', 'm=0.01', 'm=0.5'] });
    expect(spec.spec.encoding.color.scale.domain).toEqual(['m=0.9', 'm=0.01', 'm=0.5']);
    expect(spec.spec.encoding.x.scale).toEqual({ domain: [1, 3], nice: false });
    const single = reportSpec(
      points.map((p) => ({ ...p, model: p.model.split('/')[1] })),
      { title: 't', metric: 'MSE' },
    ) as any;
    expect(single.facet).toBeUndefined();
  });

  it('the title names the pipeline and its settings; the subtitle the summary, the seed and the backend', () => {
    const o = reportOptions(
      { name: 'bn-momentum', summary: 'momentum sweep', metric: 'MSE' },
      { epochs: 20, seed: 420, lr: 0.03, batchSize: 10, momenta: [0.01, 0.1] },
      'js',
    );
    expect(o.subtitle).toEqual(['momentum sweep', 'seed 420 · backend js']);
    const spec = reportSpec([], o) as any;
    expect(spec.title.text).toEqual(['bn-momentum: epochs 20 · lr 0.03 · batchSize 10', 'momenta 0.01, 0.1']);
    for (const l of spec.title.text as string[]) expect(l.length * 0.8 * spec.title.fontSize).toBeLessThanOrEqual(670);
    expect(settingsText({ a: 'x'.repeat(50), b: 'y'.repeat(50) }, 90)).toHaveLength(2);
  });

  it('the checker rejects malformed SVG', () => {
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow('closes');
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0"')).toThrow();
  });
});
