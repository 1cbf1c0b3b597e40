/**
 * The dashboard page: reads /run, then follows /events (Server-Sent Events).
 * EventSource reconnects by itself with Last-Event-ID after a dropped
 * connection, and the server replays what was missed; the store applies each id
 * once. Drawing is throttled to a few frames a second, however fast events come.
 */
import { Store, type RunInfo } from './store';
import { View } from './view';

const RENDER_MS = 500;

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
function scheduleRender(): void {
  if (timer !== undefined) return;
  const wait = Math.max(0, last + RENDER_MS - performance.now());
  timer = window.setTimeout(() => {
    timer = undefined;
    last = performance.now();
    view.render();
  }, wait);
}

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
  const source = new EventSource(withToken('/events'));
  view.setStatus('connecting');
  source.onopen = () => {
    store.connections++;
    view.setStatus('live');
  };
  source.onmessage = (e: MessageEvent<string>) => {
    if (store.apply(Number(e.lastEventId), JSON.parse(e.data) as { kind: string })) scheduleRender();
  };
  source.addEventListener('end', (e) => {
    store.end = JSON.parse((e as MessageEvent<string>).data) as { status: string; error?: string };
    source.close();
    view.setStatus(store.end.status === 'done' ? 'finished' : `failed: ${store.end.error ?? ''}`);
    document.body.dataset.ended = store.end.status;
    view.render();
  });
  source.onerror = () => {
    if (!store.end) view.setStatus(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
  };
}

void start();
