import { z } from 'zod';
import { SPLIT_NAME, type Run } from '../domain/types';

/** Params of the `client.*` methods: what an external training script (the Python client) sends. */

const id = z.number({ error: 'must be a number' }).int('must be an integer').positive('must be a positive id');
const text = (max: number) => z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`);
const name = text(120).trim().min(1, 'must not be empty');
const step = z.int('must be an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER);
const finite = z.number({ error: 'must be a number' }).finite('must be finite');
const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 in 64 lowercase hex digits');
const bytes = z
  .int()
  .min(1, 'must be at least 1 byte')
  .max(2 ** 44);

/** Chosen by the client once per run; a sync of its offline folder sends the same one, so it lands on the same run. */
export const clientUid = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, _ or -');

export const clientOrigin = z
  .object({
    host: text(255),
    gitCommit: z
      .string()
      .regex(/^[a-f0-9]{7,64}$/, 'must be a git commit hash')
      .nullable()
      .default(null),
    command: text(8000),
    clientVersion: text(40),
  })
  .strict();
export type ClientOrigin = z.infer<typeof clientOrigin>;

export const clientStart = z
  .object({
    uid: clientUid,
    /** The project's name; created when missing. */
    project: name,
    name,
    config: z.record(z.string(), z.unknown()).default({}),
    tags: z.array(text(60).trim().min(1, 'must not be empty')).max(100).default([]),
    origin: clientOrigin,
  })
  .strict();

export interface ClientRun {
  run: Run;
  /** Steps with a checkpoint stored or being measured: a sync leaves these out. */
  checkpointSteps: number[];
  /** true when the uid already had a run (a resumed or synced run). */
  existed: boolean;
}

/** Columnar, one entry per (key, split): a batch of 50 000 points validates as a few number arrays. */
export const clientLog = z
  .object({
    runId: id,
    series: z
      .array(
        z
          .object({
            key: text(200).min(1, 'must not be empty'),
            split: z.string().regex(SPLIT_NAME, "must be 'train', 'test', 'none' or an evaluation set's name").default('none'),
            steps: z.array(step).min(1, 'must hold at least one step'),
            values: z.array(finite),
            /** One per step, null where unknown; absent: none known. */
            epochs: z.array(finite.nullable()).optional(),
          })
          .strict()
          .refine((s) => s.values.length === s.steps.length && (!s.epochs || s.epochs.length === s.steps.length), {
            message: 'steps, values (and epochs) must have the same length',
          }),
      )
      .min(1, 'must hold at least one series')
      .max(10_000),
  })
  .strict()
  .refine((p) => p.series.reduce((n, s) => n + s.steps.length, 0) <= 200_000, { message: 'at most 200 000 points per call' });

/** At most 4 MiB a chunk (base64 keeps the request under the host's 10 MB body limit). */
export const CLIENT_CHUNK_BYTES = 4 * 1024 * 1024;

export const clientUpload = z
  .object({
    runId: id,
    sha256,
    offset: z
      .int()
      .min(0)
      .max(2 ** 44),
    data: z.base64('must be base64').max(Math.ceil(CLIENT_CHUNK_BYTES / 3) * 4, `must hold at most ${CLIENT_CHUNK_BYTES} bytes`),
  })
  .strict();

const uploaded = z.object({ sha256, bytes }).strict();
export const clientCheckpoint = z
  .object({ runId: id, step, epoch: finite.nullable().default(null), ...uploaded.shape, features: uploaded.optional() })
  .strict();

export const clientFinish = z
  .object({
    runId: id,
    status: z.enum(['succeeded', 'failed', 'cancelled'], "must be 'succeeded', 'failed' or 'cancelled'"),
    error: text(4000).optional(),
  })
  .strict();
