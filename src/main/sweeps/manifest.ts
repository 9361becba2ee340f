import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { conflict, invalid, notFound } from '../../shared/api/errors';
import { projectDir } from '../app/paths';

/** Bumped when the manifest's shape or the task layout changes: tasks from another layout cannot be collected. */
export const MANIFEST_FORMAT = 1;

export const slurmOptions = z
  .object({
    partition: z.string().optional(),
    time: z.string().optional(),
    cpusPerTask: z.number().int().positive().optional(),
    mem: z.string().optional(),
    gres: z.string().optional(),
    account: z.string().optional(),
    /** `user@login-host`: submit and query through ssh instead of the local Slurm commands. */
    ssh: z.string().optional(),
  })
  .strict();
export type SlurmOptions = z.infer<typeof slurmOptions>;

const point = z.object({ index: z.number().int().min(0), set: z.record(z.string(), z.string()), seed: z.number().int().min(0) });

/** Written into the sweep's shared folder: everything a node (and a later collect) needs to know. */
const manifestSchema = z.object({
  format: z.literal('plateau-sweep'),
  formatVersion: z.number().int(),
  plateauVersion: z.string(),
  id: z.string(),
  preset: z.string(),
  createdAt: z.number(),
  points: z.array(point),
  slurm: slurmOptions,
  /** The node binary and bin/plateau.mjs as the compute nodes see them. */
  node: z.string(),
  plateau: z.string(),
});
export type SweepManifest = z.infer<typeof manifestSchema>;

/** Kept in the project's folder: which Slurm jobs ran which points, and what has been collected. */
const recordSchema = z.object({
  kind: z.literal('slurm').optional(),
  formatVersion: z.number().int(),
  id: z.string(),
  projectId: z.number().int(),
  sweepDir: z.string(),
  createdAt: z.number(),
  submissions: z.array(
    z.object({ jobId: z.string(), cluster: z.string().optional(), indices: z.array(z.number().int()), submittedAt: z.number() }),
  ),
  collected: z.record(z.string(), z.object({ runId: z.number().int(), jobId: z.string() })),
});
export type SweepRecord = z.infer<typeof recordSchema>;

/** A sweep run here through the job queue: which run trains each grid point (its latest attempt). */
const localRecordSchema = z.object({
  kind: z.literal('local'),
  formatVersion: z.number().int(),
  id: z.string(),
  projectId: z.number().int(),
  preset: z.string(),
  createdAt: z.number(),
  points: z.array(point.extend({ runId: z.number().int() })),
});
export type LocalSweepRecord = z.infer<typeof localRecordSchema>;
export type AnySweepRecord = SweepRecord | LocalSweepRecord;

export const SWEEP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
export const manifestFile = (sweepDir: string) => join(sweepDir, 'sweep.json');
export const scriptFile = (sweepDir: string) => join(sweepDir, 'sweep.sbatch');
export const sweepsDir = (dataDir: string, projectId: number) => join(projectDir(dataDir, projectId), 'sweeps');
const recordFile = (dataDir: string, projectId: number, id: string) => join(sweepsDir(dataDir, projectId), `${id}.json`);

/** Temp file + rename, so a reader (another node, a second plateau) never sees half a JSON file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export function readManifest(sweepDir: string, appVersion: string): SweepManifest {
  const file = manifestFile(sweepDir);
  if (!existsSync(file)) throw notFound(`No sweep manifest at ${file}: was the shared directory moved or removed?`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(`The sweep manifest ${file} is not JSON: ${(err as Error).message}`);
  }
  const head = raw as Partial<SweepManifest>;
  if (head?.format !== 'plateau-sweep') throw invalid(`${file} is not a Plateau sweep manifest.`);
  if (head.formatVersion !== MANIFEST_FORMAT || head.plateauVersion !== appVersion) {
    throw invalid(
      `The sweep manifest ${file} was written by Plateau ${head.plateauVersion ?? '?'} (format ${head.formatVersion ?? '?'}); ` +
        `this is Plateau ${appVersion} (format ${MANIFEST_FORMAT}). Collect it with that version.`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw invalid(`The sweep manifest ${file} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}

export const writeManifest = (sweepDir: string, m: SweepManifest) => writeJsonAtomic(manifestFile(sweepDir), m);

export function createRecord(dataDir: string, r: AnySweepRecord): void {
  const file = recordFile(dataDir, r.projectId, r.id);
  if (existsSync(file)) throw conflict(`The project already has a sweep '${r.id}'; pick another --name.`);
  writeJsonAtomic(file, r);
}

export const saveRecord = (dataDir: string, r: AnySweepRecord) => writeJsonAtomic(recordFile(dataDir, r.projectId, r.id), r);

/** The named sweep of a project, or its newest when no name is given: local or on Slurm. */
export function loadRecord(dataDir: string, projectId: number, id?: string): AnySweepRecord {
  const dir = sweepsDir(dataDir, projectId);
  const ids = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
    : [];
  if (id !== undefined && !ids.includes(id))
    throw notFound(`No sweep '${id}' in this project${ids.length ? ` (sweeps: ${ids.join(', ')})` : ''}.`);
  const records = (id !== undefined ? [id] : ids).map((x) => {
    const raw = JSON.parse(readFileSync(recordFile(dataDir, projectId, x), 'utf8')) as { kind?: string };
    const parsed = raw?.kind === 'local' ? localRecordSchema.safeParse(raw) : recordSchema.safeParse(raw);
    if (!parsed.success) throw invalid(`The sweep record ${recordFile(dataDir, projectId, x)} is damaged.`);
    return parsed.data;
  });
  if (!records.length) {
    throw notFound("This project has no sweeps yet. Start one with 'plateau sweep --preset NAME' (add --slurm for a cluster).");
  }
  return records.sort((a, b) => b.createdAt - a.createdAt)[0];
}
