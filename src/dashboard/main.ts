/**
 * The dashboard page: reads /run, then follows /events (Server-Sent Events).
 * After a dropped connection it reconnects with Last-Event-ID and the server
 * replays what was missed; the store applies each id once. Drawing is
 * throttled to two frames a second at most, however fast events come.
 */
import { Store, type RunInfo } from './store';
import { follow } from './stream';
import { View } from './view';

const RENDER_MS = 500;
const BUDGET = 20;

/** The token the page was opened with, passed on explicitly (the server also sets it as a cookie). */
const token = new URLSearchParams(location.search).get('token');
const withToken = (path: string): string => (token ? `${path}?token=${encodeURIComponent(token)}` : path);

const byId = (id: string): HTMLElement => document.getElementById(id)!;
const store = new Store();
const view = new View(store, {
  title: byId('title'),
  meta: byId('meta'),
  status: byId('status'),
  progress: byId('progress'),
  warnings: byId('warnings'),
  bn: byId('bn'),
  bnCards: byId('bn-cards'),
  results: byId('results'),
  metric: byId('metric'),
  loss: byId('loss'),
});

let timer: number | undefined;
let last = 0;
/** What the last render took (ms), uPlot's drawing included. */
let cost = 0;
/**
 * Redraws at most every RENDER_MS, and less often when drawing is slow: at most
 * 1/(BUDGET + 1) of the time goes to drawing, so open pages leave the cores they
 * share with the training to it.
 */
function scheduleRender(): void {
  if (timer !== undefined) return;
  const wait = Math.max(0, last + Math.max(RENDER_MS, BUDGET * cost) - performance.now());
  timer = window.setTimeout(() => {
    // A page nobody sees draws nothing; it catches up when shown.
    if (document.hidden) {
      timer = undefined;
      return;
    }
    const t0 = performance.now();
    view.render();
    // uPlot draws in a microtask queued during render: this one runs after it.
    queueMicrotask(() => {
      last = performance.now();
      cost = last - t0;
      timer = undefined;
    });
  }, wait);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) scheduleRender();
});

/** For tests and the curious: the page's state, read-only by convention. */
(window as unknown as { rxnnDashboard: { store: Store } }).rxnnDashboard = { store };

async function start(): Promise<void> {
  try {
    const res = await fetch(withToken('/run'));
    if (res.ok) store.setInfo((await res.json()) as RunInfo);
  } catch {
    // The stream still works without the metadata: no totals on the progress bars.
  }
  view.header();
  view.setStatus('connecting');
  follow(withToken('/events'), () => store.lastId, {
    open() {
      store.connections++;
      view.setStatus('live');
    },
    event(id, data) {
      if (store.apply(id, JSON.parse(data) as { kind: string })) scheduleRender();
    },
    end(data) {
      store.end = JSON.parse(data) as { status: string; error?: string };
      const { interrupted, pipeline, source } = store.info;
      const done = interrupted
        ? `interrupted: continue with rxnn run ${pipeline ?? '<pipeline>'} --resume ${source ?? 'DIR'}`
        : 'finished';
      view.setStatus(store.end.status === 'done' ? done : `failed: ${store.end.error ?? ''}`);
      document.body.dataset.ended = store.end.status;
      view.render();
    },
    lost: () => view.setStatus('reconnecting'),
  });
}

void start();
