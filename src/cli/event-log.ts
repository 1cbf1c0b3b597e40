import { closeSync, fsyncSync, ftruncateSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { WriteError } from './atomic';

/** Where an append-only file stood when a checkpoint was taken: its length and its number of lines. */
export interface LogMark {
  bytes: number;
  lines: number;
}

/** Lines buffered before they are written (a whole epoch's steps stay bounded). */
const FLUSH_BYTES = 1 << 20;

/**
 * An append-only file of lines (events.jsonl, metrics.csv): lines are buffered
 * and appended, never rewritten, so memory and the cost of a write do not grow
 * with the run. `sync()` makes what was appended durable and returns the mark
 * a checkpoint records; a resumed run reopens at that mark, dropping whatever
 * an interrupted run appended after it.
 */
export class AppendLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private position: number;
  private lineCount: number;
  private failed: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    at: LogMark,
  ) {
    this.position = at.bytes;
    this.lineCount = at.lines;
  }

  /** A new file (replacing any), starting with `header` lines; or, with `at`, the existing file cut back to `at`. */
  static open(path: string, opts: { at?: LogMark; header?: string[] } = {}): AppendLog {
    let fd: number;
    try {
      fd = openSync(path, opts.at ? 'r+' : 'w');
      if (opts.at) ftruncateSync(fd, opts.at.bytes);
    } catch (err) {
      throw new WriteError(`could not open ${path}: ${(err as Error).message}`, { cause: err });
    }
    const log = new AppendLog(path, fd, opts.at ?? { bytes: 0, lines: 0 });
    for (const line of opts.header ?? []) log.append(line);
    return log;
  }

  /** Appends one line (without its newline); written when the buffer fills or at the next flush. */
  append(line: string): void {
    const text = line + '\n';
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.lineCount++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Lines appended so far, written or not. */
  get lines(): number {
    return this.lineCount;
  }

  /** Writes the buffered lines. A failed write (ENOSPC…) is a WriteError naming the file, and every later call repeats it. */
  flush(): void {
    if (this.failed) throw this.failed;
    if (!this.pending.length) return;
    const bytes = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    try {
      for (let off = 0; off < bytes.length;) {
        const n = writeSync(this.fd, bytes, off, bytes.length - off, this.position);
        if (!(n > 0)) throw new Error(`short write: ${off} of ${bytes.length} bytes`);
        off += n;
        this.position += n;
      }
    } catch (err) {
      this.failed = new WriteError(`could not write ${this.path}: ${(err as Error).message}`, { cause: err });
      throw this.failed;
    }
  }

  /** Flushes (no fsync) and returns where the file stands: the mark of a checkpoint taken now. */
  mark(): LogMark {
    this.flush();
    return { bytes: this.position, lines: this.lineCount };
  }

  /** Flushes and fsyncs: everything appended is on disk. Returns the mark a checkpoint records. */
  sync(): LogMark {
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (err) {
      this.failed = new WriteError(`could not write ${this.path}: ${(err as Error).message}`, { cause: err });
      throw this.failed;
    }
    return { bytes: this.position, lines: this.lineCount };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // closing after a failed write: the write's error is the one reported
    }
  }
}

/** What is wrong with a log file, without its name (the caller adds the file and the checkpoint's field). */
export class LogProblem extends Error {
  override name = 'LogProblem';
}

/**
 * Reads the first `mark.bytes` of `path` line by line (64 KiB at a time, so a
 * large file is never one string) and checks that it ends at a line break and
 * has `mark.lines` lines; `each(line, n)` sees every line (n from 1). Returns
 * the last line. A problem is thrown as a LogProblem saying what is wrong (the caller names the file).
 */
export function scanLog(path: string, mark: LogMark, each: (line: string, n: number) => void): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new LogProblem(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < mark.bytes)
      throw new LogProblem(`has ${size} bytes, fewer than the ${mark.bytes} the checkpoint covers`);
    const chunk = Buffer.alloc(1 << 16);
    let rest = Buffer.alloc(0);
    let n = 0;
    let last: string | undefined;
    for (let pos = 0; pos < mark.bytes;) {
      const got = readSync(fd, chunk, 0, Math.min(chunk.length, mark.bytes - pos), pos);
      if (got <= 0) throw new LogProblem(`could not be read at byte ${pos}`);
      pos += got;
      let buf = Buffer.concat([rest, chunk.subarray(0, got)]);
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        last = buf.subarray(0, nl).toString('utf8');
        each(last, ++n);
        buf = buf.subarray(nl + 1);
      }
      rest = Buffer.from(buf);
    }
    if (rest.length)
      throw new LogProblem(`does not end at a line break at byte ${mark.bytes}, where the checkpoint says it ends`);
    if (n !== mark.lines)
      throw new LogProblem(`has ${n} lines in its first ${mark.bytes} bytes, the checkpoint says ${mark.lines}`);
    return last;
  } finally {
    closeSync(fd);
  }
}
