/**
 * Ends the process with `code` once everything written to stdout and stderr
 * has gone out. A pipe that is read slowly keeps part of the output queued in
 * the process (`rxnn run … | (sleep 2; cat)`); process.exit would drop it, cut
 * mid-line or mid-character. Each stream's callback runs after the writes
 * queued before it; a stream that is gone (EPIPE, destroyed) does not wait.
 *
 * @example
 * main(argv).then(exitWhenDrained);
 */
export function exitWhenDrained(code: number): void {
  process.exitCode = code;
  const drained = (s: NodeJS.WriteStream): Promise<void> =>
    new Promise((resolve) => {
      if (s.destroyed || s.writableEnded || !s.writable) return resolve();
      s.once('error', () => resolve());
      s.write('', () => resolve());
    });
  void Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => process.exit(code));
}
