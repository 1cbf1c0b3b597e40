import { connect, Socket } from 'node:net';

/** A raw HTTP/1.1 exchange over TCP: the request line is sent exactly as given (no client normalises the path). */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
    });
    const lines = Object.entries({ Host: `127.0.0.1:${port}`, Connection: 'close', ...headers }).map(
      ([k, v]) => `${k}: ${v}`,
    );
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** One parsed SSE message. */
export interface SseMessage {
  id?: number;
  event?: string;
  data: string;
}

/**
 * Reads /events as a client would: frames parsed as they come, `until` decides
 * when to stop (then the socket is closed). Resolves to the messages read.
 */
export function readSse(
  port: number,
  until: (msgs: SseMessage[]) => boolean,
  headers: Record<string, string> = {},
  path = '/events',
): Promise<SseMessage[]> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const msgs: SseMessage[] = [];
    let buf = '',
      headDone = false;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => resolve(msgs));
    socket.on('data', (d: string) => {
      buf += d;
      if (!headDone) {
        const at = buf.indexOf('\r\n\r\n');
        if (at < 0) return;
        if (!/^HTTP\/1\.1 200/.test(buf)) return reject(new Error(`not 200: ${buf.slice(0, 80)}`));
        buf = buf.slice(at + 4);
        headDone = true;
      }
      // HTTP/1.0: the body comes as is, not chunked.
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const m: SseMessage = { data: '' };
        let any = false;
        for (const line of frame.split('\n')) {
          const l = line.replace(/\r$/, '');
          if (l.startsWith('id: ')) m.id = Number(l.slice(4));
          else if (l.startsWith('event: ')) m.event = l.slice(7);
          else if (l.startsWith('data: ')) m.data = l.slice(6);
          else continue;
          any = true;
        }
        if (any && (m.id !== undefined || m.event)) msgs.push(m);
      }
      if (until(msgs)) socket.destroy();
    });
    const lines = Object.entries({ Host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}`);
    socket.write(`GET ${path} HTTP/1.0\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Polls `check` until it holds (generous: a loaded 2-core machine), else throws naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
