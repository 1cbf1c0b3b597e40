import { describe, it, expect } from 'vitest';
import { renderSvg, reportSpec, CurvePoint } from '../../src/cli/report';
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

  it('the checker rejects malformed SVG', () => {
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow('closes');
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0"')).toThrow();
  });
});
