import type { ServerResponse } from 'node:http';
import type { EventLog } from './event-log';

/** Frames per write, and about how many characters: bounds what one write puts in Node's buffer. */
const CHUNK_EVENTS = 512;
const CHUNK_CHARS = 64 * 1024;

/**
 * One /events connection. It keeps a cursor into the shared log instead of a
 * queue of its own: each flush writes from the cursor until the socket pushes
 * back, then waits for 'drain'. A client that keeps up never loses an event; one
 * whose socket has pushed back while more than `maxLag` events piled up behind
 * it is dropped (its connection closed), and its browser reconnects with
 * Last-Event-ID and catches up. So the training never waits for a client.
 */
export class SseClient {
  private waiting = false;
  private endSent = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly log: EventLog,
    private cursor: number,
    private readonly maxLag: number,
  ) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Writes what the client has not seen yet, as far as its socket takes it; drops it if too far behind. */
  flush(): void {
    if (this.closed) return;
    if (this.waiting) {
      if (this.log.lines.length - this.cursor > this.maxLag) this.drop();
      return;
    }
    while (this.cursor < this.log.lines.length) {
      const { text, count } = this.log.frames(this.cursor, CHUNK_EVENTS, CHUNK_CHARS);
      this.cursor += count;
      if (!this.res.write(text)) {
        this.waiting = true;
        this.res.once('drain', () => {
          this.waiting = false;
          this.flush();
        });
        return;
      }
    }
    if (this.log.end && !this.endSent) {
      this.endSent = true;
      this.res.write(this.log.endFrame());
    }
  }

  /** An SSE comment, so proxies and idle timers see traffic on a quiet stream. */
  ping(): void {
    if (!this.closed && !this.waiting) this.res.write(': ping\n\n');
  }

  /** Closes the connection at once (the browser reconnects with the last id it got). */
  drop(): void {
    this.res.destroy();
  }
}
