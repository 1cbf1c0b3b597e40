/**
 * The error a pipeline ends with when a step fails (NaN or infinite loss, a
 * shape error, a throwing user function): it names where (epoch, step, model)
 * and why, and keeps the original error as `cause`.
 */
export class TrainingError extends Error {
  /** The 1-based epoch where the run failed. */
  readonly epoch: number;
  /** The 1-based step within that epoch (at an epoch's end, while evaluating: the epoch's last step). */
  readonly step: number;
  /** The failing model's name, where the pipeline names its models. */
  readonly model?: string;

  /**
   * An error whose message reads `epoch E, step S (model 'M'): reason`; `cause` is kept as the standard
   * `Error.cause`.
   */
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
