import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccess } from './access';
import { PAGE_FILES } from './assets';
import type { EventLog } from './event-log';
import { SseClient } from './sse-client';

/** What the request handler serves from. */
export interface ServeState {
  log: EventLog;
  /** The run's metadata for /run. */
  run: () => Record<string, unknown>;
  assets: Map<string, Buffer>;
  clients: Set<SseClient>;
  token?: string;
  loopback: boolean;
  port: () => number;
  maxLag: number;
}

/** Headers on every answer: nothing cached, sniffed, framed, embedded elsewhere or leaking the token by referrer. */
const COMMON = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}): void {
  res.writeHead(status, { ...COMMON, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const text = (res: ServerResponse, status: number, message: string, extra = {}): void =>
  send(res, status, 'text/plain; charset=utf-8', `${status}: ${message}\n`, extra);

/** The first id a client has not seen: the Last-Event-ID it sends (a reconnect), clamped to the log. */
function resumeFrom(req: IncomingMessage, log: EventLog): number {
  const raw = req.headers['last-event-id'];
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : 0;
  return Math.min(n, log.lines.length);
}

function openStream(req: IncomingMessage, res: ServerResponse, s: ServeState): void {
  res.writeHead(200, {
    ...COMMON,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  req.socket.setNoDelay(true);
  res.write('retry: 1000\n\n');
  const client = new SseClient(res, s.log, resumeFrom(req, s.log), s.maxLag);
  s.clients.add(client);
  res.on('close', () => s.clients.delete(client));
  client.flush();
}

/**
 * Answers one request: the page's files from a fixed table, /events (SSE),
 * /events.jsonl and /run; anything else 404, methods other than GET and HEAD
 * 405. The path is matched as sent, never mapped to the disk, so `..` and its
 * encodings are just unknown paths.
 */
export function handle(req: IncomingMessage, res: ServerResponse, s: ServeState): void {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return text(res, 405, `${req.method} not allowed; this server only reads`, { Allow: 'GET, HEAD' });
  }
  const access = checkAccess(req, query, { token: s.token, loopback: s.loopback, port: s.port() });
  if (!access.ok) return text(res, access.status, access.message);
  // The page's own later requests (script, stream) carry the token as a cookie, so it need not be in every URL.
  const cookie =
    access.setCookie && s.token ? { 'Set-Cookie': `rxnn_token=${s.token}; HttpOnly; SameSite=Strict; Path=/` } : {};
  const page = Object.hasOwn(PAGE_FILES, path) ? PAGE_FILES[path] : undefined;
  if (page) {
    const body = s.assets.get(page.file);
    if (!body)
      return text(res, 503, `the page is not built (node tools/build-dashboard.mjs); the stream is at /events`);
    return send(res, 200, page.type, body, cookie);
  }
  switch (path) {
    case '/events':
      return openStream(req, res, s);
    case '/events.jsonl':
      return send(res, 200, 'application/x-ndjson; charset=utf-8', s.log.jsonl(), cookie);
    case '/run':
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(s.run()), cookie);
    case '/favicon.ico':
      return void res.writeHead(204, COMMON).end();
    default:
      return text(res, 404, `no such path; this server answers /, /events, /events.jsonl and /run`);
  }
}
