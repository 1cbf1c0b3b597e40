import { describe, it, expect } from 'vitest';
import stringWidth from 'string-width';
import { chooseLayout, flow, resample, textChart, tick, ChartSeries } from '../../src/cli/chart';
import { MAX_SERIES, seriesStyle } from '../../src/cli/color';

/** The escape character, built so that no regular expression literal holds a control character. */
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
const width = (s: string): number => Math.max(...s.split('\n').map((l) => stringWidth(l.replace(ANSI, ''))));
/** Rows of the plotting area (between the title and the x axis) on which `marker` appears. */
const rowsOf = (plot: string, marker: string): number[] =>
  plot
    .replace(ANSI, '')
    .split('\n')
    .flatMap((l, r) => (l.includes('┤') && l.slice(l.indexOf('┤')).includes(marker) ? [r] : []));

/** bn-placement at 400 epochs, in shape: two calm models and one that spikes. */
const spiky: ChartSeries[] = [
  { name: 'none', values: Array.from({ length: 400 }, (_, i) => 0.34 + 1.5 / (i + 1) + 0.02 * Math.sin(i)) },
  { name: 'pre', values: Array.from({ length: 400 }, (_, i) => 0.6 + 2 / (i + 1) + 0.4 * Math.abs(Math.sin(i / 3))) },
  { name: 'post', values: Array.from({ length: 400 }, (_, i) => (i === 3 ? 49 : 2.2 + Math.abs(Math.sin(i / 7)) * 3)) },
];

describe('text charts', () => {
  it('resample: few points are spread out and joined, many are aggregated per column', () => {
    const wide = resample([1, 3], 5);
    expect(wide.map((c) => c?.mid)).toEqual([1, 1.5, 2, 2.5, 3]);
    const narrow = resample([1, 5, 2, 2, 9, 0], 3);
    expect(narrow).toEqual([
      { lo: 1, hi: 5, mid: 3 },
      { lo: 2, hi: 2, mid: 2 },
      { lo: 0, hi: 9, mid: 4.5 },
    ]);
    expect(resample([1, undefined, NaN, 4], 4).map((c) => c?.mid)).toEqual([1, undefined, undefined, 4].map((v) => v));
  });

  it('is never wider than the terminal, however long the run', () => {
    for (const w of [40, 80, 120]) {
      const c = textChart(spiky, { title: 'test MSE per epoch', width: w, color: true });
      expect(width(c)).toBeLessThanOrEqual(w);
      expect(width(c)).toBeGreaterThanOrEqual(w - 2);
    }
  });

  it('one spike does not flatten the others: a log scale, where every model spans several rows', () => {
    expect(chooseLayout(spiky)).toBe('log');
    const c = textChart(spiky, { title: 't', width: 80, color: false, height: 10 });
    expect(c.split('\n')[0]).toBe('t (log scale)');
    for (const m of ['●', '○', '◆']) expect(new Set(rowsOf(c, m)).size).toBeGreaterThanOrEqual(2);
  });

  it('where neither scale shows every model, each gets its own small chart', () => {
    const s: ChartSeries[] = [
      { name: 'flatish', values: [11.2, 11.7, 11.3, 11.5] },
      { name: 'wild', values: [1.2, 16, 3, 9] },
    ];
    expect(chooseLayout(s)).toBe('multiples');
    const c = textChart(s, { title: 'test MSE per epoch', width: 80, color: false });
    expect(c.split('\n')[0]).toBe('test MSE per epoch, each model on its own scale');
    expect(c).toContain('\n● flatish\n');
    expect(c).toContain('\n○ wild (log scale)\n');
    expect(new Set(rowsOf(c.slice(0, c.indexOf('○ wild')), '●')).size).toBeGreaterThanOrEqual(3);
    // Accuracy never gets a log axis.
    expect(
      chooseLayout(
        [
          { name: 'a', values: [0.04, 0.7] },
          { name: 'b', values: [0.5, 0.51] },
        ],
        false,
      ),
    ).toBe('multiples');
    expect(
      chooseLayout(
        [
          { name: 'a', values: [0.5, 0.9] },
          { name: 'b', values: [0.6, 0.8] },
        ],
        false,
      ),
    ).toBe('linear');
  });

  it('16 series stay apart by colour and by marker; more are drawn one chart each', () => {
    const styles = Array.from({ length: MAX_SERIES }, (_, i) => seriesStyle(i, true));
    expect(new Set(styles.map((s) => s.marker)).size).toBe(16);
    expect(new Set(styles.map((s) => s.on)).size).toBe(16);
    for (const s of styles) expect(stringWidth(s.marker)).toBe(1);
    expect(() => seriesStyle(16, true)).toThrow('from 0 to 15, got 16');
    const many = (n: number): ChartSeries[] =>
      Array.from({ length: n }, (_, i) => ({ name: `s${i}`, values: [i / 16, 10 - i / 16, 5] }));
    expect(chooseLayout(many(16))).not.toBe('multiples');
    expect(chooseLayout(many(17))).toBe('multiples');
  });

  it('the legend never separates a swatch from its label', () => {
    const names = Array.from({ length: 8 }, (_, i) => `batch${10 ** ((i % 3) + 1)}/m=0.${i}`);
    const words = names.map(
      (n, i) => `${seriesStyle(i, true).on}${seriesStyle(i, true).marker}${seriesStyle(i, true).off} ${n}`,
    );
    for (const w of [30, 80, 120]) {
      const lines = flow(words, w);
      for (const l of lines) expect(stringWidth(l.replace(ANSI, ''))).toBeLessThanOrEqual(w);
      const joined = lines.map((l) => l.replace(ANSI, '')).join('\n');
      names.forEach((n, i) => expect(joined).toContain(`${seriesStyle(i, false).marker} ${n}`));
    }
  });

  it('the y axis stays straight: every row has its axis in the same column', () => {
    const c = textChart(spiky, { title: 't', width: 80, color: false });
    const cols = c
      .split('\n')
      .filter((l) => l.includes('┤'))
      .map((l) => l.indexOf('┤'));
    expect(new Set(cols).size).toBe(1);
    expect(
      c
        .split('\n')
        .find((l) => l.includes('└'))!
        .indexOf('└'),
    ).toBe(cols[0]);
  });

  it('the epoch axis runs from 1 to the last epoch; labels have 4 significant digits', () => {
    const c = textChart([{ name: 'a', values: [3, 2, 1.5, 1.25, 1.125] }], { title: 't', width: 60, color: false });
    const axis = c.split('\n').find((l) => /^\s+1\s/.test(l))!;
    expect(axis.trim().split(/\s+/)).toEqual(['1', '3', '5']);
    expect(tick(49.06591)).toBe('49.07');
    expect(tick(0.3333333)).toBe('0.3333');
    expect(tick(123456)).toBe('1.23e+5');
    expect(textChart([], { title: 't', width: 80, color: false })).toBe('');
  });
});
