/**
 * A served run's events, in order: each kept as its JSON line, numbered from 1
 * (the SSE id of event n is n, and it is line n of /events.jsonl), plus how the
 * stream ended. Kept whole, so any client can replay from any id.
 */
export class EventLog {
  readonly lines: string[] = [];
  /** Set once the stream ends: 'done', or 'failed' with its message. */
  end: { status: 'done' | 'failed'; error?: string } | undefined;

  /** Appends one event; returns its id. */
  push(event: unknown): number {
    this.lines.push(JSON.stringify(event));
    return this.lines.length;
  }

  /** The SSE frames of events `from` (0-based index) up to at most `max` of them or about `budget` characters. */
  frames(from: number, max: number, budget: number): { text: string; count: number } {
    let text = '',
      count = 0;
    for (let i = from; i < this.lines.length && count < max && text.length < budget; i++, count++) {
      text += `id: ${i + 1}\ndata: ${this.lines[i]}\n\n`;
    }
    return { text, count };
  }

  /** The SSE frame that tells clients the stream has ended (no id: a reconnect still replays from the last event). */
  endFrame(): string {
    return `event: end\ndata: ${JSON.stringify({ ...this.end, events: this.lines.length })}\n\n`;
  }

  /** The run so far as JSON lines (/events.jsonl), the same bytes as the command's events.jsonl. */
  jsonl(): string {
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }
}
