import uPlot from 'uplot';

/** One line of a chart. */
export interface Line {
  label: string;
  color: string;
  dash?: number[];
  width?: number;
  /** Draw faint (batch statistics: noisy, one sample per step). */
  faint?: boolean;
}

export const MODEL_COLORS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];
export const CHANNEL_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** `#rrggbb` with an alpha. */
const alpha = (hex: string, a: number): string =>
  `rgba(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)}, ${a})`;

/**
 * A uPlot line chart that keeps its series and takes new data as it comes; it
 * follows its container's width. `log` draws the y axis on a log scale (used
 * where every value is positive).
 */
export class LineChart {
  private plot: uPlot | undefined;
  private key = '';
  private readonly observer: ResizeObserver;

  constructor(
    private readonly host: HTMLElement,
    private readonly opts: { x: string; y: string; height: number; legend?: boolean; integerX?: boolean },
  ) {
    this.observer = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.opts.height }));
    this.observer.observe(host);
  }

  private width(): number {
    return Math.max(200, this.host.clientWidth);
  }

  /** Draws `ys` (one array per line, aligned with `x`); rebuilds the chart when the lines or the scale change. */
  set(lines: Line[], x: number[], ys: (number | null)[][], log = false, yLabel = this.opts.y): void {
    const key = JSON.stringify([lines, log, yLabel]);
    const data = [x, ...ys] as uPlot.AlignedData;
    if (this.plot && key === this.key) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.key = key;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.opts.height,
        legend: { show: this.opts.legend ?? true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
        axes: [
          {
            label: this.opts.x,
            stroke: '#555',
            grid: { stroke: '#eee' },
            ...(this.opts.integerX ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}),
          },
          { label: yLabel, stroke: '#555', grid: { stroke: '#eee' }, size: 60 },
        ],
        series: [
          { label: this.opts.x },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.faint ? alpha(l.color, 0.22) : l.color,
            width: l.width ?? (l.faint ? 1 : 1.75),
            dash: l.dash,
            spanGaps: true,
            points: { show: false },
          })),
        ],
      },
      data,
      this.host,
    );
  }
}
