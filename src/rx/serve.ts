import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Observable } from 'rxjs';
import { isLoopback } from './serve/access';
import { defaultAssetsDir, loadAssets } from './serve/assets';
import { EventLog } from './serve/event-log';
import { handle, ServeState } from './serve/handler';
import type { SseClient } from './serve/sse-client';

/** Options of {@link serve}: where to listen, who may read, and what to serve. */
export interface ServeOptions {
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). Any other than a loopback one requires a token. */
  host?: string;
  /** Require a token in the URL: a string sets it, true makes a random one (default: true unless `host` is loopback). */
  token?: string | boolean;
  /** The run's metadata, served at /run (pipeline, options, backend, models, …); `startedAt` is added. */
  run?: Record<string, unknown>;
  /** Events a client whose socket pushes back may fall behind before it is dropped (default 10000). */
  maxLag?: number;
  /** Folder of the built page (default: the package's dist/dashboard). */
  assets?: string;
}

/** A serving dashboard. */
export interface ServeHandle {
  /** Where to open it: the page, with `?token=` where one is required. */
  url: string;
  /** The port it listens on (the one chosen when `port` was 0). */
  port: number;
  /** The token the URLs need (`?token=`); absent when none is required. */
  token?: string;
  /** Live /events connections. */
  clients(): number;
  /** Closes every /events connection at once; browsers reconnect with Last-Event-ID and lose nothing. */
  dropClients(): void;
  /** Stops serving: closes every connection and the server, and unsubscribes from the events. */
  close(): Promise<void>;
}

/** How often a quiet stream gets a comment line, so idle timeouts along the way keep it open. */
const PING_MS = 15_000;
/** How long new events wait to go out together: unnoticeable on a page, and few writes per client. */
const FLUSH_MS = 40;

/** A reachable address of this machine, for the printed URL of a server bound to every interface. */
function publicAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * Serves an rxnn event stream to browsers and other programs: the dashboard page
 * at `/`, Server-Sent Events at `/events` (each with its sequence number as id;
 * a client reconnecting with `Last-Event-ID` gets every event it missed),
 * `/events.jsonl` (the run so far) and `/run` (its metadata). Subscribes to
 * `events$` at once and keeps every event, so late and reconnecting clients
 * replay from any point. A slow client never slows the stream: it is written to
 * only as fast as its socket takes, and dropped (to reconnect) when it falls
 * `maxLag` events behind. Read-only: no request can start or stop training.
 *
 * @example
 * const events$ = rx.compare$({ models, names, train, test }).pipe(share());
 * const { url, close } = await rx.serve(events$, { run: { pipeline: 'mine' } });
 * console.log(`dashboard: ${url}`);
 */
export async function serve(events$: Observable<unknown>, options: ServeOptions = {}): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`serve: port: expected an integer from 0 to 65535, got ${port}`);
  const maxLag = options.maxLag ?? 10_000;
  if (!Number.isInteger(maxLag) || maxLag < 1)
    throw new RangeError(`serve: maxLag: expected a positive integer, got ${maxLag}`);
  const loopback = isLoopback(host);
  const wantToken = options.token ?? !loopback;
  const token = typeof wantToken === 'string' ? wantToken : wantToken ? randomBytes(16).toString('hex') : undefined;
  if (token !== undefined && !/^[A-Za-z0-9_-]{8,}$/.test(token))
    throw new RangeError('serve: token: expected at least 8 letters, digits, - or _');

  const log = new EventLog();
  const clients = new Set<SseClient>();
  const startedAt = new Date().toISOString();
  const server = createServer();
  const state: ServeState = {
    log,
    run: () => ({
      ...options.run,
      startedAt: options.run?.startedAt ?? startedAt,
      events: log.lines.length,
      status: log.end?.status ?? 'running',
    }),
    assets: loadAssets(options.assets ?? defaultAssetsDir()),
    clients,
    token,
    loopback,
    port: () => (server.address() as AddressInfo).port,
    maxLag,
  };
  server.on('request', (req, res) => handle(req, res, state));

  // Events go out in batches, one write per client every FLUSH_MS: a step can take a few microseconds,
  // so a write per client per step would cost the training more than the step itself.
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    for (const c of clients) c.flush();
  };
  const schedule = (): void => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  const sub = events$.subscribe({
    next: (ev) => {
      log.push(ev);
      schedule();
    },
    error: (err: unknown) => {
      log.end = { status: 'failed', error: String((err as Error)?.message ?? err) };
      schedule();
    },
    complete: () => {
      log.end = { status: 'done' };
      schedule();
    },
  });
  const ping = setInterval(() => clients.forEach((c) => c.ping()), PING_MS).unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    sub.unsubscribe();
    clearInterval(ping);
    throw err;
  });
  const bound = state.port();
  const shown = host === '0.0.0.0' || host === '::' ? publicAddress() : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/${token ? `?token=${token}` : ''}`,
    port: bound,
    ...(token ? { token } : {}),
    clients: () => [...clients].filter((c) => !c.closed).length,
    dropClients: () => {
      clients.forEach((c) => c.drop());
      clients.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        sub.unsubscribe();
        clearInterval(ping);
        clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
