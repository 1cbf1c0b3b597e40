import { CHANNEL_COLORS, LineChart, Line, MODEL_COLORS } from './charts';
import { el, fmt } from './dom';
import type { LayerSeries, ModelState, Store } from './store';
import { bucketEdges, bucketMeans, bucketX } from './thin';

/** Points per drawn series at most: longer runs are thinned to bucket means. */
const MAX_POINTS = 1000;

/** Draws the store into the page; `render` is idempotent and cheap enough to call a few times a second. */
export class View {
  private readonly metric: LineChart;
  private readonly loss: LineChart;
  private readonly bnCharts = new Map<string, { mean: LineChart; variance: LineChart; table: HTMLElement }>();

  constructor(
    private readonly store: Store,
    private readonly root: {
      title: HTMLElement;
      meta: HTMLElement;
      status: HTMLElement;
      progress: HTMLElement;
      warnings: HTMLElement;
      bn: HTMLElement;
      bnCards: HTMLElement;
      results: HTMLElement;
      metric: HTMLElement;
      loss: HTMLElement;
    },
  ) {
    this.metric = new LineChart(root.metric, { x: 'epoch', y: 'metric', height: 260, integerX: true });
    this.loss = new LineChart(root.loss, { x: 'step', y: 'loss', height: 260 });
  }

  /** The connection's state: 'live', 'reconnecting', 'finished' or 'failed: …'. */
  setStatus(status: string): void {
    this.root.status.textContent = status;
    this.root.status.dataset.status = status.split(':')[0];
  }

  header(): void {
    const i = this.store.info;
    this.root.title.textContent = i.pipeline ? `rxnn · ${i.pipeline}` : 'rxnn';
    const p = i.params ?? {};
    const parts = [
      i.summary,
      i.backend && `backend ${i.backend}`,
      i.epochs !== undefined && `${i.epochs} epochs`,
      p.lr !== undefined && `lr ${JSON.stringify(p.lr)}`,
      p.batchSize !== undefined && `batch ${JSON.stringify(p.batchSize)}`,
      i.startedAt && `started ${new Date(i.startedAt).toLocaleString()}`,
    ].filter(Boolean);
    this.root.meta.textContent = parts.join(' · ');
    document.title = this.root.title.textContent;
  }

  render(): void {
    const models = [...this.store.models.values()];
    this.progress(models);
    this.warnings();
    this.curves(models);
    this.batchNorm(models);
    this.results(models);
    document.body.dataset.lastId = String(this.store.lastId);
  }

  private progress(models: ModelState[]): void {
    const epochs = this.store.info.epochs;
    const rows = models.map((m, i) => {
      const done = m.losses.length;
      const pct = m.totalSteps ? Math.min(100, (100 * done) / m.totalSteps) : 0;
      const bar = el('div', { class: 'bar' }, el('div', { class: 'fill', style: `width:${pct.toFixed(1)}%` }));
      bar.style.setProperty('--color', MODEL_COLORS[i % MODEL_COLORS.length]);
      const last = m.losses[done - 1];
      const info = [
        `epoch ${m.epoch}${epochs ? `/${epochs}` : ''}`,
        `step ${done}${m.totalSteps ? `/${m.totalSteps}` : ''}`,
        `loss ${fmt(last)}`,
      ].join(' · ');
      return el(
        'div',
        { class: 'progress-row', 'data-model': m.name, 'data-steps': String(done) },
        el('span', { class: 'name' }, m.name),
        bar,
        el('span', { class: 'pct' }, `${pct.toFixed(0)}%`),
        el('span', { class: 'info' }, info),
      );
    });
    this.root.progress.replaceChildren(...rows);
  }

  private warnings(): void {
    const ws = this.store.warnings;
    this.root.warnings.hidden = ws.length === 0;
    if (this.root.warnings.childElementCount === ws.length + 1) return;
    this.root.warnings.replaceChildren(
      el('h2', {}, `BatchNorm warnings (${ws.length})`),
      ...ws.map((w) =>
        el(
          'div',
          { class: 'warning', 'data-code': w.code },
          el('div', { class: 'where' }, [w.model, `layer ${w.layer}`, w.code].filter(Boolean).join(' · ')),
          el('div', { class: 'message' }, w.message),
          el('div', { class: 'fix' }, el('b', {}, 'fix: '), w.fix),
        ),
      ),
    );
  }

  private curves(models: ModelState[]): void {
    const metric = this.store.info.metric ?? 'metric';
    const maxEpoch = Math.max(0, ...models.map((m) => m.epochs.length));
    const x = Array.from({ length: maxEpoch }, (_, i) => i + 1);
    const lines: Line[] = [],
      ys: (number | null)[][] = [];
    let positive = true;
    models.forEach((m, i) => {
      const color = MODEL_COLORS[i % MODEL_COLORS.length];
      for (const split of ['train', 'test'] as const) {
        lines.push({ label: `${m.name} ${split}`, color, dash: split === 'train' ? [6, 4] : undefined });
        const byEpoch = new Map(m.epochs.map((e) => [e.epoch, e[split]]));
        ys.push(x.map((e) => byEpoch.get(e) ?? null));
        for (const e of m.epochs) positive &&= e[split] > 0;
      }
    });
    this.root.metric.dataset.title = `train (dashed) and test ${metric} per epoch`;
    if (maxEpoch) this.metric.set(lines, x, ys, positive && metric !== 'accuracy', metric);

    const n = Math.max(0, ...models.map((m) => m.losses.length));
    if (!n) return;
    const edges = bucketEdges(n, MAX_POINTS);
    this.loss.set(
      models.map((m, i) => ({ label: m.name, color: MODEL_COLORS[i % MODEL_COLORS.length], width: 1.25 })),
      bucketX(edges),
      models.map((m) => bucketMeans(m.losses, edges)),
      models.every((m) => m.losses.every((v) => !(v <= 0))),
    );
    this.root.loss.dataset.title =
      n > MAX_POINTS ? `loss per step (mean of every ${Math.ceil(n / MAX_POINTS)})` : 'loss per step';
  }

  private batchNorm(models: ModelState[]): void {
    const any = models.some((m) => m.layers.size);
    this.root.bn.hidden = !any;
    for (const m of models) {
      for (const s of m.layers.values()) {
        const key = `${m.name}\u0000${s.name}`;
        let card = this.bnCharts.get(key);
        if (!card) card = this.bnCard(m.name, s, key);
        const edges = bucketEdges(s.steps.length, MAX_POINTS);
        const x = bucketX(edges);
        // The batch's statistics first, faint, and the running ones drawn over them.
        const color = (c: number) => CHANNEL_COLORS[c % CHANNEL_COLORS.length];
        const channels = Array.from({ length: s.channels }, (_, c) => c);
        const lines = (what: string): Line[] => [
          ...channels.map((c) => ({ label: `ch ${c} batch ${what}`, color: color(c), faint: true })),
          ...channels.map((c) => ({ label: `ch ${c} running ${what}`, color: color(c), width: 2.25 })),
        ];
        const ys = (run: number[][], batch: number[][]) => [
          ...batch.map((b) => bucketMeans(b, edges)),
          ...run.map((r) => bucketMeans(r, edges)),
        ];
        card.mean.set(lines('mean'), x, ys(s.runningMean, s.batchMean));
        card.variance.set(lines('var'), x, ys(s.runningVar, s.batchVar));
        this.statsTable(card.table, s);
      }
    }
  }

  private bnCard(model: string, s: LayerSeries, key: string) {
    const mean = el('div', { class: 'chart', 'data-title': 'mean per channel' });
    const variance = el('div', { class: 'chart', 'data-title': 'variance per channel' });
    const table = el('table', { class: 'stats' });
    const legend = el(
      'div',
      { class: 'legend' },
      ...Array.from({ length: s.channels }, (_, c) =>
        el('span', { style: `color:${CHANNEL_COLORS[c % CHANNEL_COLORS.length]}` }, `■ channel ${c}`),
      ),
      el('span', { class: 'key' }, 'bold: running statistics · faint: the batch’s own'),
    );
    this.root.bnCards.append(
      el(
        'div',
        { class: 'bn-card', 'data-model': model, 'data-layer': s.name },
        el('h3', {}, `${model} · layer ${s.name} · ${s.channels} channels`),
        legend,
        el('div', { class: 'pair' }, mean, variance),
        table,
      ),
    );
    const card = {
      mean: new LineChart(mean, { x: 'step', y: 'mean', height: 200, legend: false }),
      variance: new LineChart(variance, { x: 'step', y: 'variance', height: 200, legend: false }),
      table,
    };
    this.bnCharts.set(key, card);
    return card;
  }

  private statsTable(table: HTMLElement, s: LayerSeries): void {
    const l = s.last;
    const head = el(
      'tr',
      {},
      ...['channel', 'batch mean', 'running mean', 'batch var', 'running var'].map((h) => el('th', {}, h)),
    );
    const rows = Array.from({ length: s.channels }, (_, c) =>
      el(
        'tr',
        {},
        el('td', {}, String(c)),
        ...[l.batchMean?.[c], l.runningMean?.[c], l.batchVar?.[c], l.runningVar?.[c]].map((v) =>
          el('td', { 'data-value': String(v) }, fmt(v)),
        ),
      ),
    );
    table.replaceChildren(el('caption', {}, `after step ${s.steps[s.steps.length - 1] ?? 0}`), head, ...rows);
  }

  private results(models: ModelState[]): void {
    const metric = this.store.info.metric ?? 'metric';
    const higher = metric === 'accuracy';
    const rows = models
      .filter((m) => m.epochs.length)
      .map((m) => {
        const last = m.epochs[m.epochs.length - 1];
        const best = m.epochs.reduce((b, e) => ((higher ? e.test > b.test : e.test < b.test) ? e : b));
        const cell = (v: number) => el('td', { 'data-value': String(v) }, fmt(v));
        return el(
          'tr',
          { 'data-model': m.name },
          el('td', {}, m.name),
          el('td', { 'data-value': String(last.epoch) }, String(last.epoch)),
          cell(last.train),
          cell(last.test),
          el('td', {}, `${fmt(best.test)} (epoch ${best.epoch})`),
        );
      });
    const head = el(
      'tr',
      {},
      ...['model', 'epoch', `train ${metric}`, `test ${metric}`, `best test ${metric}`].map((h) => el('th', {}, h)),
    );
    this.root.results.replaceChildren(
      el('h2', {}, this.store.end ? 'Final results' : 'Latest results'),
      el('table', { class: 'results' }, head, ...rows),
    );
  }
}
