/**
 * The error a pipeline ends with when a step fails (NaN or infinite loss, a
 * shape error, a throwing user function): it names where (epoch, step, model)
 * and why, and keeps the original error as `cause`.
 */
export class TrainingError extends Error {
  readonly epoch: number;
  readonly step: number;
  readonly model?: string;

  constructor(where: { epoch: number; step: number; model?: string }, reason: string, cause?: unknown) {
    const who = where.model === undefined ? '' : ` (model '${where.model}')`;
    super(`epoch ${where.epoch}, step ${where.step}${who}: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'TrainingError';
    this.epoch = where.epoch;
    this.step = where.step;
    this.model = where.model;
  }

  /** Wraps whatever `fn` throws, unless it already is a TrainingError. */
  static wrap<T>(where: { epoch: number; step: number; model?: string }, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TrainingError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new TrainingError(where, reason, err);
    }
  }
}
