/** What `follow` reports. */
export interface StreamHandlers {
  /** The stream (re)opened. */
  open(): void;
  /** One event: its id and its JSON text. */
  event(id: number, data: string): void;
  /** The run ended (the `end` event's JSON text); the stream is closed. */
  end(data: string): void;
  /** The connection dropped; it reconnects after the server's retry delay. */
  lost(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a Server-Sent Events stream the way EventSource does (reconnecting
 * with Last-Event-ID after `retry` ms), but reads it with fetch and parses
 * whole chunks: one callback per chunk instead of one DOM event per message,
 * which keeps a page that follows a fast run light on the CPU it shares with
 * the training. `lastId` is the id of the last event applied.
 */
export function follow(url: string, lastId: () => number, on: StreamHandlers): { close(): void } {
  let closed = false;
  let retry = 1000;
  let controller: AbortController | undefined;
  const close = (): void => {
    closed = true;
    controller?.abort();
  };
  const frame = (text: string): void => {
    let id: number | undefined, event: string | undefined, data: string | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('data: ')) data = data === undefined ? line.slice(6) : `${data}\n${line.slice(6)}`;
      else if (line.startsWith('id: ')) id = Number(line.slice(4));
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('retry: ')) retry = Number(line.slice(7)) || retry;
    }
    if (data === undefined) return;
    if (event === 'end') {
      on.end(data);
      close();
    } else if (id !== undefined) on.event(id, data);
  };
  void (async () => {
    while (!closed) {
      controller = new AbortController();
      try {
        const id = lastId();
        const res = await fetch(url, {
          headers: id ? { 'Last-Event-ID': String(id) } : {},
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
        on.open();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        while (!closed) {
          const { value, done } = await reader.read();
          if (done) break;
          const frames = (buf + value).split('\n\n');
          buf = frames.pop()!;
          for (const f of frames) if (!closed) frame(f);
        }
      } catch {
        // A dropped connection: reconnect below, from the last event applied.
      }
      if (closed) return;
      on.lost();
      await sleep(retry);
    }
  })();
  return { close };
}
