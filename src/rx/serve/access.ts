import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Whether `host` (a bind address) reaches only this machine. */
export const isLoopback = (host: string): boolean => LOOPBACK.test(host.replace(/^\[|\]$/g, ''));

/** Constant-time comparison of a presented token with the server's. */
function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given),
    b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents: `?token=`, the cookie the page got, or `Authorization: Bearer`. */
export function presentedToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const q = query.get('token');
  if (q !== null) return q;
  const cookie = /(?:^|;\s*)rxnn_token=([^;]*)/.exec(req.headers.cookie ?? '');
  if (cookie) return decodeURIComponent(cookie[1]);
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return auth?.[1];
}

/**
 * Whether a request may be answered, and if not the status and why:
 * - 401 without the token, where one is required (a server reachable from other machines);
 * - 403 for a Host header other than the loopback names, on a loopback server
 *   (a DNS-rebinding page would send its own name);
 * - 403 for a cross-origin request (an Origin other than the server's own): there is no CORS.
 */
export function checkAccess(
  req: IncomingMessage,
  query: URLSearchParams,
  opts: { token?: string; loopback: boolean; port: number },
): { ok: true; setCookie: boolean } | { ok: false; status: number; message: string } {
  const host = req.headers.host ?? '';
  if (opts.loopback) {
    const names = [`127.0.0.1:${opts.port}`, `localhost:${opts.port}`, `[::1]:${opts.port}`];
    if (!names.includes(host.toLowerCase())) {
      return { ok: false, status: 403, message: `host '${host}' not allowed; expected one of ${names.join(', ')}` };
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, status: 403, message: `cross-origin requests are not allowed (origin '${origin}')` };
  }
  if (opts.token !== undefined) {
    const given = presentedToken(req, query);
    if (!sameToken(given, opts.token)) {
      return {
        ok: false,
        status: 401,
        message: 'this dashboard needs its token: open the URL the server printed (it ends in ?token=…)',
      };
    }
    return { ok: true, setCookie: query.get('token') !== null };
  }
  return { ok: true, setCookie: false };
}
