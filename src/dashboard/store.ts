import type { EpochEvent, LayerStats, RunningStatsEvent, StepEvent, WarningEvent } from '../rx/events';

/** One BatchNorm layer's statistics over steps: per channel, running and batch mean and variance. */
export interface LayerSeries {
  name: string;
  channels: number;
  /** The model's step count (1-based, across epochs) at each sample. */
  steps: number[];
  runningMean: number[][];
  runningVar: number[][];
  batchMean: number[][];
  batchVar: number[][];
  last: LayerStats;
}

/** What the page knows about one model. */
export interface ModelState {
  name: string;
  /** Its steps in the whole run, from /run (0 where unknown). */
  totalSteps: number;
  losses: number[];
  epoch: number;
  epochs: EpochEvent[];
  layers: Map<string, LayerSeries>;
}

/** The run's metadata, as /run serves it. */
export interface RunInfo {
  pipeline?: string;
  summary?: string;
  metric?: string;
  backend?: string;
  epochs?: number;
  params?: Record<string, unknown>;
  models?: { name: string; steps: number }[];
  startedAt?: string;
  status?: string;
  /** A run served from its folder that stopped before its end (its checkpoint is not finished). */
  interrupted?: boolean;
  /** Where a run served from its folder lives. */
  source?: string;
}

/** Every event the page has applied, by model, plus the stream's own bookkeeping (ids, gaps, end). */
export class Store {
  readonly models = new Map<string, ModelState>();
  readonly warnings: WarningEvent[] = [];
  info: RunInfo = {};
  /** The id of the last event applied; events arrive numbered 1, 2, 3, … */
  lastId = 0;
  /** Ids that skipped ahead (an event missed) and repeats ignored: both stay 0 on a sound stream. */
  gaps = 0;
  duplicates = 0;
  end: { status: string; error?: string } | undefined;
  /** How many times the stream (re)opened: 1 on a connection that never dropped. */
  connections = 0;

  setInfo(info: RunInfo): void {
    this.info = info;
    for (const m of info.models ?? []) this.model(m.name).totalSteps = m.steps;
  }

  model(name = 'model'): ModelState {
    let m = this.models.get(name);
    if (!m) {
      m = { name, totalSteps: 0, losses: [], epoch: 0, epochs: [], layers: new Map() };
      this.models.set(name, m);
    }
    return m;
  }

  /** Applies event `id`; returns false for one already applied (a replay overlapping what was seen). */
  apply(id: number, ev: { kind: string; model?: string }): boolean {
    if (id <= this.lastId) {
      this.duplicates++;
      return false;
    }
    if (id !== this.lastId + 1) this.gaps++;
    this.lastId = id;
    switch (ev.kind) {
      case 'step': {
        const s = ev as StepEvent;
        const m = this.model(s.model);
        m.losses.push(s.loss);
        m.epoch = s.epoch;
        break;
      }
      case 'epoch':
        this.model(ev.model).epochs.push(ev as EpochEvent);
        break;
      case 'runningStats':
        this.stats(ev as RunningStatsEvent);
        break;
      case 'warning':
        this.warnings.push(ev as WarningEvent);
        break;
    }
    return true;
  }

  private stats(ev: RunningStatsEvent): void {
    const m = this.model(ev.model);
    const step = m.losses.length;
    for (const l of ev.layers) {
      const channels = l.runningMean?.length ?? l.batchMean?.length ?? 0;
      let s = m.layers.get(l.name);
      if (!s) {
        const empty = () => Array.from({ length: channels }, () => [] as number[]);
        s = {
          name: l.name,
          channels,
          steps: [],
          runningMean: empty(),
          runningVar: empty(),
          batchMean: empty(),
          batchVar: empty(),
          last: l,
        };
        m.layers.set(l.name, s);
      }
      s.steps.push(step);
      s.last = l;
      for (let c = 0; c < channels; c++) {
        s.runningMean[c].push(l.runningMean?.[c] ?? NaN);
        s.runningVar[c].push(l.runningVar?.[c] ?? NaN);
        s.batchMean[c].push(l.batchMean?.[c] ?? NaN);
        s.batchVar[c].push(l.batchVar?.[c] ?? NaN);
      }
    }
  }
}
