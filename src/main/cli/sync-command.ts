import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { CLIENT_CHUNK_BYTES } from '../../shared/api/client-schemas';
import type { Client } from '../../shared/rpc/client';
import { findRunFolders, readPoints, readRunFolder, type FolderFile, type FolderPoint } from '../io/client-run-folder';
import { emit, table, type GlobalOptions } from './output';
import { withClient } from './session';

const BATCH = 50_000;

/** client.log's columnar series, one per (key, split). */
function seriesOf(points: FolderPoint[]) {
  const by = new Map<string, { key: string; split: FolderPoint['split']; steps: number[]; values: number[]; epochs: (number | null)[] }>();
  for (const p of points) {
    const id = `${p.split}\u0000${p.key}`;
    let s = by.get(id);
    if (!s) by.set(id, (s = { key: p.key, split: p.split, steps: [], values: [], epochs: [] }));
    s.steps.push(p.step);
    s.values.push(p.value);
    s.epochs.push(p.epoch);
  }
  return [...by.values()];
}

async function upload(client: Client, runId: number, f: FolderFile) {
  let offset = 0;
  for await (const chunk of createReadStream(f.file, { highWaterMark: CLIENT_CHUNK_BYTES })) {
    const data = (chunk as Buffer).toString('base64');
    await client.client.upload({ runId, sha256: f.sha256, offset, data });
    offset += (chunk as Buffer).length;
  }
}

/** Brings one offline run folder in: the same uid lands on the same run, and what is already there is sent as a no-op or not at all. */
export async function syncRunFolder(client: Client, folder: string) {
  const f = readRunFolder(folder);
  const { run, checkpointSteps, existed } = await client.client.start(f.start);
  let points = 0;
  let cut = false;
  for await (const batch of readPoints(folder, BATCH, () => (cut = true))) {
    await client.client.log({ runId: run.id, series: seriesOf(batch) }); // upserts: a second sync stores the same rows
    points += batch.length;
  }
  const sent: number[] = [];
  for (const c of f.checkpoints) {
    if (checkpointSteps.includes(c.step) || sent.includes(c.step)) continue;
    await upload(client, run.id, c);
    if (c.features) await upload(client, run.id, c.features);
    const r = await client.client.checkpoint({
      runId: run.id,
      step: c.step,
      epoch: c.epoch,
      sha256: c.sha256,
      bytes: c.bytes,
      ...(c.features ? { features: { sha256: c.features.sha256, bytes: c.features.bytes } } : {}),
    });
    if (!r.already) sent.push(c.step);
  }
  // no finish.json: the script was cut off (or still runs); the run stays open until a later sync brings its end
  const status = f.finish
    ? (await client.client.finish({ runId: run.id, ...f.finish })).status
    : (await client.runs.get({ id: run.id })).status;
  return {
    folder,
    uid: f.start.uid,
    runId: run.id,
    existed,
    points,
    checkpoints: sent.length,
    checkpointsAlready: f.checkpoints.length - sent.length,
    status,
    cutLine: cut,
  };
}

/** `plateau sync FOLDER`: offline runs of the Python client (or runs spilled when the host went away) into the database, once. */
export function syncCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sync')
    .description('bring in run folders logged offline by plateau_client (a second sync adds nothing)')
    .argument('<folders...>', 'a run folder, or a folder of run folders (e.g. ./plateau-runs)')
    .action((folders: string[]) =>
      withClient(globals(), async (client, app) => {
        const results: Awaited<ReturnType<typeof syncRunFolder>>[] = [];
        for (const root of folders) for (const folder of findRunFolders(root)) results.push(await syncRunFolder(client, folder));
        await app.ctx.jobs.idle(); // the checkpoints are measured before the command returns
        emit(globals(), results, () =>
          [
            table(
              ['RUN', 'UID', 'POINTS', 'CHECKPOINTS', 'STATUS'],
              results.map((r) => [
                `${r.runId}${r.existed ? '' : ' (new)'}`,
                r.uid,
                String(r.points),
                `${r.checkpoints} sent, ${r.checkpointsAlready} already there`,
                r.status,
              ]),
            ),
            ...results
              .filter((r) => r.cutLine)
              .map((r) => `${r.folder}: its last metrics line was cut short (the writer stopped mid-line) and was left out.`),
          ].join('\n'),
        );
      }),
    );
}
