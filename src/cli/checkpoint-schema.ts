import { z } from 'zod';

/** A non-negative safe integer. */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Where an append-only file stood at the checkpoint. */
const mark = z.strictObject({ bytes: count, lines: count });

/** The flags' parameters every pipeline has; the pipeline's own are checked against its defaults. */
const params = z.looseObject({
  epochs: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  seed: z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'an integer as a decimal string')]),
  lr: z.number().positive(),
  batchSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

/**
 * checkpoint.json, version 2: what a run needs to continue exactly where it
 * stopped. `files` are the lengths of events.jsonl and metrics.csv that the
 * checkpoint is consistent with (a resumed run cuts them back to these);
 * `last` the epoch both files end with there.
 */
export const checkpointSchema = z.strictObject({
  version: z.literal(2),
  pipeline: z.string().min(1),
  params,
  events: z.enum(['steps', 'epochs']),
  finished: z.boolean(),
  next: z.strictObject({ experiment: count, epoch: z.number().int().min(1) }),
  rng: z.strictObject({
    seed: z.string().regex(/^\d+$/, 'a uint64 as a decimal string'),
    mt: z.array(z.number().int().min(0).max(0xffffffff)).length(624),
    index: z.number().int().min(0).max(624),
    nextDoubleNormal: z.number().nullable(),
  }),
  models: z.record(z.string(), z.record(z.string(), z.unknown())),
  optimizers: z.record(z.string(), z.unknown()),
  files: z.strictObject({ events: mark, metrics: mark }),
  last: z.strictObject({ model: z.string(), epoch: z.number().int().min(1) }).nullable(),
});

/** A checkpoint as read from disk and checked (seed still as written: number or decimal string). */
export type CheckpointData = z.infer<typeof checkpointSchema>;

const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/**
 * Checks `data` against the schema. Returns it, or one line naming the first
 * wrong field, what it holds and what was expected.
 */
export function parseCheckpoint(data: unknown): { ok: true; value: CheckpointData } | { ok: false; error: string } {
  const r = checkpointSchema.safeParse(data, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '(the whole file)';
  if (issue.code === 'unrecognized_keys') {
    return { ok: false, error: `${field ? `${field}: ` : ''}unexpected field ${issue.keys.join(', ')}` };
  }
  const input = 'input' in issue ? issue.input : undefined;
  if ('input' in issue && input === undefined) return { ok: false, error: `field ${field}: missing` };
  const message = issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
  return { ok: false, error: `field ${field}: ${message}${'input' in issue ? `, got ${shown(input)}` : ''}` };
}
