import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './args';
import { WriteError } from './atomic';

/** The lock file a run holds in its output folder while it writes there. */
export const LOCK = '.rxnn.lock';

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether process `pid` is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dir`'s lock: creates `dir/.rxnn.lock` exclusively (O_EXCL) with this
 * process's pid. A lock held by a live process is a UsageError (exit 2) naming
 * its pid; a lock left by a dead one is taken over, and `note` says so.
 * Returns the release function (idempotent; removes the file only while it is ours).
 */
export function lockDir(dir: string, note: (line: string) => void): () => void {
  const path = join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST' || attempt > 2)
        throw new WriteError(`could not create ${path}: ${e.message}`, { cause: err });
      let text = '';
      try {
        // An empty file: its creator is between creating it and writing its pid; give it a moment.
        for (let wait = 0; (text = readFileSync(path, 'utf8')) === '' && wait < 20; wait++) sleep(50);
      } catch {
        continue; // removed meanwhile: try again
      }
      const pid = Number(text.trim());
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
        throw new UsageError(
          `rxnn: ${dir} is in use by another run (pid ${pid}, ${path}); wait for it or choose another --out`,
        );
      }
      // Moved aside atomically: if what moved is not the stale lock read above (another run took it over
      // meanwhile), it is put back for that run to keep.
      const aside = `${path}.${process.pid}.stale`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      if (readFileSync(aside, 'utf8') !== text) {
        try {
          linkSync(aside, path);
        } catch {
          // a newer lock is already in place
        }
      } else {
        note(
          `rxnn: taking over ${path}: its run (${Number.isSafeInteger(pid) && pid > 0 ? `pid ${pid}` : `content ${JSON.stringify(text.slice(0, 20))}`}) is no longer running`,
        );
      }
      rmSync(aside, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      try {
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    };
  }
}
