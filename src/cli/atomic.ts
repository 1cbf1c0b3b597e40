import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * mkdir -p with the file system's real error: Node's recursive mkdir reports
 * ENOENT where a parent cannot be made (a read-only file system: EROFS), so on
 * failure the first missing folder is made alone to get its error.
 */
export function makeDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let first = path;
    while (!existsSync(dirname(first)) && dirname(first) !== first) first = dirname(first);
    mkdirSync(first); // throws the real error (EROFS, EACCES…)
    throw err;
  }
}

let counter = 0;

/**
 * Writes `path` atomically: the bytes go to a temp file beside it, are flushed,
 * then renamed over `path` (rename is atomic on one file system), so a reader
 * or an interrupted run sees the old file or the new one, never a truncated
 * one. On any error the temp file is removed and the error rethrown: the old
 * file stays whole. Synchronous on purpose: the SIGINT path must finish before exiting.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const fd = openSync(tmp, 'w');
  let open = true;
  try {
    // writeSync may write fewer bytes than asked (a full disk): go on from there; no progress is an error, not a loop.
    for (let off = 0; off < bytes.length;) {
      const n = writeSync(fd, bytes, off, bytes.length - off);
      if (!(n > 0)) throw new Error(`short write: ${off} of ${bytes.length} bytes written to ${tmp}`);
      off += n;
    }
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    if (open) {
      try {
        closeSync(fd);
      } catch {
        // the write's error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** An output file that could not be written; the message names it, and main prints it without a stack. */
export class WriteError extends Error {
  override name = 'WriteError';
}

/** writeFileAtomic, with a failure as a WriteError naming the file (the old one, if any, is left whole). */
export function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    throw new WriteError(`could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
