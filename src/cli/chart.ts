/**
 * Text charts sized to the terminal: every series resampled to the columns
 * there are (long runs aggregated per column as min..max, never wrapped), on a
 * scale where every series is readable: one shared linear axis, else a shared
 * log axis, else one small chart per series with its own axis.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { dim, MAX_SERIES, seriesStyle } from './color';

/** One curve: `values[i]` is the value at epoch i + 1 (holes and non-finite values are skipped). */
export interface ChartSeries {
  name: string;
  values: (number | undefined)[];
}

export interface ChartOptions {
  /** The heading line, e.g. 'test MSE per epoch'. */
  title: string;
  /** Columns available (the terminal's width); no line of the chart is longer. */
  width: number;
  color: boolean;
  /** Rows of the plotting area of a shared chart (small multiples get about half). */
  height?: number;
  /** Whether a log axis may be used (not for bounded metrics such as accuracy). */
  allowLog?: boolean;
}

/** How one chart's axis maps values: linear or log10. */
export type Scale = 'linear' | 'log';

/** A series' shortest span on the axis that counts as readable: 15% of the axis. */
const READABLE = 0.15;

/** One plotted column: the range of the values that fall in it and their mean. */
interface Cell {
  lo: number;
  hi: number;
  mid: number;
}

/**
 * `values` on `cols` columns: fewer points than columns are spread out and
 * joined by linear interpolation; more are aggregated per column (min, max, mean).
 */
export function resample(values: (number | undefined)[], cols: number): (Cell | null)[] {
  const pts = values.flatMap((v, i) => (v !== undefined && Number.isFinite(v) ? [[i, v] as const] : []));
  const out: (Cell | null)[] = new Array<Cell | null>(cols).fill(null);
  if (!pts.length || cols < 1) return out;
  const n = values.length;
  if (n <= cols) {
    const x = (i: number): number => (n === 1 ? 0 : Math.round((i * (cols - 1)) / (n - 1)));
    for (let k = 0; k < pts.length; k++) {
      const [i, v] = pts[k];
      out[x(i)] = { lo: v, hi: v, mid: v };
      const next = pts[k + 1];
      if (!next || next[0] !== i + 1) continue;
      const [x0, x1] = [x(i), x(next[0])];
      for (let c = x0 + 1; c < x1; c++) {
        const y = v + ((next[1] - v) * (c - x0)) / (x1 - x0);
        out[c] = { lo: y, hi: y, mid: y };
      }
    }
    return out;
  }
  for (let c = 0; c < cols; c++) {
    const [a, b] = [Math.floor((c * n) / cols), Math.floor(((c + 1) * n) / cols)];
    const vs = pts.filter(([i]) => i >= a && i < b).map(([, v]) => v);
    if (vs.length)
      out[c] = { lo: Math.min(...vs), hi: Math.max(...vs), mid: vs.reduce((s, v) => s + v, 0) / vs.length };
  }
  return out;
}

const finite = (s: ChartSeries): number[] => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v));

/**
 * Whether every series spans at least READABLE of a shared axis on `scale`
 * (a series that is flat on its own counts as readable: there is nothing to show).
 */
export function readableOn(series: ChartSeries[], scale: Scale): boolean {
  const t = scale === 'log' ? Math.log10 : (v: number): number => v;
  const all = series.flatMap(finite);
  if (scale === 'log' && all.some((v) => v <= 0)) return false;
  const span = Math.max(...all.map(t)) - Math.min(...all.map(t));
  if (!(span > 0)) return true;
  return series.every((s) => {
    const vs = finite(s);
    if (vs.length < 2) return true;
    const [lo, hi] = [Math.min(...vs), Math.max(...vs)];
    const flat = hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
    return flat || (t(hi) - t(lo)) / span >= READABLE;
  });
}

/**
 * The layout that shows every series: one shared chart on a log axis (a
 * positive metric spanning 10× or more, where every series stays readable) or
 * a linear one, else 'multiples', one chart per series with its own axis.
 */
export function chooseLayout(series: ChartSeries[], allowLog = true): Scale | 'multiples' {
  if (series.length > MAX_SERIES) return 'multiples';
  const all = series.flatMap(finite);
  const decade = allowLog && Math.min(...all) > 0 && Math.max(...all) / Math.min(...all) >= 10;
  if (decade && readableOn(series, 'log')) return 'log';
  if (readableOn(series, 'linear')) return 'linear';
  if (allowLog && readableOn(series, 'log')) return 'log';
  return 'multiples';
}

/** A number in at most 4 significant digits, without trailing zeros. */
export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Words laid out in lines of at most `width` columns; a word (a swatch and its label) is never split. */
export function flow(words: string[], width: number, gap = '   '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? line + gap + w : w;
    if (line && stringWidth(next) > width) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** One plot: y labels, the plotting area and the epoch axis, `opts.width` columns at most. */
function plot(series: ChartSeries[], styles: number[], scale: Scale, height: number, opts: ChartOptions): string[] {
  const t = scale === 'log' ? Math.log10 : (v: number): number => v;
  const layout = (lw: number) => {
    const cols = Math.max(8, opts.width - lw - 3);
    const cells = series.map((s) => resample(s.values, cols));
    const mids = cells.flat().flatMap((c) => (c ? [t(c.mid)] : []));
    const [tlo, thi] = [Math.min(...mids), Math.max(...mids)];
    const value = (r: number): number => {
      const x = thi === tlo ? tlo : tlo + ((thi - tlo) * r) / (height - 1);
      return scale === 'log' ? 10 ** x : x;
    };
    // Labels on the top, middle and bottom rows (row 0 is the bottom).
    const labels = Array.from({ length: height }, (_, r) =>
      r === 0 || r === height - 1 || r === Math.round((height - 1) / 2) ? tick(value(r)) : '',
    );
    const row = (v: number): number =>
      thi === tlo ? Math.round((height - 1) / 2) : Math.round(((t(v) - tlo) / (thi - tlo)) * (height - 1));
    return { cols, cells, labels, row };
  };
  // The labels' width depends on the range and the range on the columns left: settle it in two passes.
  let lw = 1;
  let l = layout(lw);
  for (let pass = 0; pass < 4; pass++) {
    const need = Math.max(...l.labels.map((x) => x.length));
    if (need <= lw) break;
    lw = need;
    l = layout(lw);
  }
  const { cols, cells, labels, row } = l;
  const grid: string[][] = Array.from({ length: height }, () => new Array<string>(cols).fill(' '));
  // A marker per column at the mean of its values, no strokes between (overlapping series stay legible);
  // the first series is drawn last, on top.
  for (let k = series.length - 1; k >= 0; k--) {
    const st = seriesStyle(styles[k], opts.color);
    cells[k].forEach((cell, c) => {
      if (cell) grid[row(cell.mid)][c] = `${st.on}${st.marker}${st.off}`;
    });
  }
  const axisChar = dim('┤', opts.color);
  const lines = grid.map((cellsOfRow, r) => `${labels[r].padStart(lw)} ${axisChar}${cellsOfRow.join('')}`.trimEnd());
  lines.reverse();
  lines.push(`${' '.repeat(lw)} ${dim('└' + '─'.repeat(cols), opts.color)}`);
  // Epoch ticks at the first, middle and last column.
  const n = Math.max(...series.map((s) => s.values.length));
  const axis = new Array<string>(cols + 1).fill(' ');
  const put = (c: number, text: string): void => {
    const at = Math.min(Math.max(0, c - (c === 0 ? 0 : Math.floor(text.length / 2))), cols + 1 - text.length);
    if (axis.slice(Math.max(0, at - 1), at + text.length + 1).some((ch) => ch !== ' ')) return;
    for (let i = 0; i < text.length; i++) axis[at + i] = text[i];
  };
  put(0, '1');
  if (n > 1) put(cols - 1, String(n));
  if (n > 2) put(Math.round((cols - 1) / 2), String(Math.round(1 + (n - 1) / 2)));
  lines.push(`${' '.repeat(lw + 2)}${axis.join('')}`.trimEnd());
  return lines;
}

/**
 * The chart: the title, then one shared plot with a legend, or one small plot
 * per series; no line is wider than `opts.width`.
 *
 * @example
 * textChart([{ name: 'none', values: [1.8, 0.9, 0.5] }], { title: 'test MSE per epoch', width: 80, color: false });
 */
export function textChart(series: ChartSeries[], opts: ChartOptions): string {
  const shown = series.filter((s) => finite(s).length > 0);
  if (!shown.length) return '';
  const layout = chooseLayout(shown, opts.allowLog ?? true);
  const height = opts.height ?? 10;
  const title = (s: string): string => wrapAnsi(s, opts.width, { hard: true });
  if (layout !== 'multiples') {
    const styles = shown.map((_, i) => i);
    const legend = shown.map((s, i) => {
      const st = seriesStyle(i, opts.color);
      return `${st.on}${st.marker}${st.off} ${s.name}`;
    });
    return [
      title(`${opts.title}${layout === 'log' ? ' (log scale)' : ''}`),
      ...plot(shown, styles, layout, height, opts),
      ...flow(legend, opts.width),
    ].join('\n');
  }
  const parts = [title(`${opts.title}, each model on its own scale`)];
  shown.forEach((s, i) => {
    const vs = finite(s);
    const own: Scale =
      (opts.allowLog ?? true) && Math.min(...vs) > 0 && Math.max(...vs) / Math.min(...vs) >= 10 ? 'log' : 'linear';
    const st = seriesStyle(i % MAX_SERIES, opts.color);
    parts.push(title(`${st.on}${st.marker}${st.off} ${s.name}${own === 'log' ? ' (log scale)' : ''}`));
    parts.push(...plot([s], [i % MAX_SERIES], own, Math.max(3, Math.ceil(height / 2)), opts));
  });
  return parts.join('\n');
}
