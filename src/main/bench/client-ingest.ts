import { Worker } from 'node:worker_threads';
import type { MetricRow } from '../../shared/jobs/messages';
import type { BenchCase } from './bench-case';
import { benchHost, quantile } from './client-host';

const KEYS = ['train_loss', 'test_loss', 'train_acc', 'test_acc'];
const STEPS_PER_BATCH = 12_500; // x 4 keys = 50 000 points a call, as the Python client batches
const BATCHES = 40; // 2 000 000 points
const READ_EVERY_MS = 50;
const QUIET_MS = 4000;
/** The run the reads ask for while the ingest goes on: a finished run of a typical size (4 keys x 5 000 steps). */
const READ_STEPS = 5000;

/**
 * Two client threads, as a training script and a browser would be: one sends client.log batches over HTTP as fast
 * as the host takes them, the other reads a finished run's curves (metrics.series, downsampled as the UI asks) every
 * 50 ms: the UI stays responsive. (The UI reads a live run once, then appends the rows run.metrics events carry.)
 */
const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const now = () => performance.now();
const call = async (method, params) => {
  const res = await fetch(w.origin + '/rpc/' + method, { method: 'POST', headers: { authorization: 'Bearer ' + w.token, 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const reply = await res.json();
  if (!reply.ok) throw new Error(method + ': ' + reply.error.message);
  return reply.result;
};
async function write() {
  const t0 = now();
  for (let b = 0; b < w.batches; b++) {
    const steps = Array.from({ length: w.stepsPerBatch }, (_, i) => b * w.stepsPerBatch + i);
    const series = w.keys.map((key, k) => ({ key, split: key.startsWith('test') ? 'test' : 'train', steps, values: steps.map((s) => (k + 1) / (s + 1)) }));
    await call('client.log', { runId: w.runId, series });
  }
  return { ms: now() - t0 };
}
async function reads() {
  const out = [];
  let stop = false;
  parentPort.once('message', () => (stop = true));
  while (!stop) {
    const t0 = now();
    await call('metrics.series', { runIds: [w.readRunId], keys: w.keys, maxPoints: 2000 });
    out.push({ at: t0, ms: now() - t0 });
    await new Promise((r) => setTimeout(r, Math.max(0, w.readEveryMs - (now() - t0))));
  }
  return { reads: out };
}
(w.role === 'write' ? write() : reads()).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

function thread<T>(role: 'write' | 'reads', data: Record<string, unknown>) {
  const w = new Worker(CLIENT, { eval: true, workerData: { ...data, role } });
  const report = new Promise<T & { error?: string }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }).then((r) => {
    void w.terminate();
    if (r.error) throw new Error(`bench client: ${r.error}`);
    return r;
  });
  return { report, stop: () => w.postMessage('stop') };
}

export const clientIngestBench: BenchCase = {
  name: 'client_ingest',
  unit: 'points/s',
  target: '>= 50 000 points/s while a metrics.series read stays at p95 < 100 ms',
  async run(log) {
    const host = await benchHost('client-ingest');
    try {
      const origin = { host: 'bench', gitCommit: null, command: 'plateau bench', clientVersion: 'bench' };
      const start = (uid: string) => host.app.services.client.start({ uid, project: 'bench', name: uid, config: {}, tags: [], origin });
      const { run } = await start('bench-ingest-0001');
      const readRunId = (await start('bench-ingest-read')).run.id;
      const steps = Array.from({ length: READ_STEPS }, (_, i) => i);
      await host.app.services.client.log({
        runId: readRunId,
        series: KEYS.map((key) => ({ key, split: 'train' as const, steps, values: steps.map((i) => 1 / (i + 1)) })),
      });
      const common = {
        readRunId,
        origin: host.origin,
        token: host.token,
        runId: run.id,
        keys: KEYS,
        stepsPerBatch: STEPS_PER_BATCH,
        batches: BATCHES,
        readEveryMs: READ_EVERY_MS,
      };
      const readers = thread<{ reads: { at: number; ms: number }[] }>('reads', common);
      await new Promise((r) => setTimeout(r, QUIET_MS)); // quiet reads first: the machine's own noise floor
      const { ms } = await thread<{ ms: number }>('write', common).report;
      readers.stop();
      const all = (await readers.report).reads;
      // the reader thread's clock started with it: its times are compared by offsets from the first read
      const firstAt = all[0]?.at ?? 0;
      const quiet = all.filter((r) => r.at - firstAt < QUIET_MS - 50).map((r) => r.ms);
      const reads = all.filter((r) => r.at - firstAt >= QUIET_MS).map((r) => r.ms);
      const points = KEYS.length * STEPS_PER_BATCH * BATCHES;
      const perS = points / (ms / 1000);
      let t0 = performance.now();
      await host.app.services.metrics.series({ runIds: [run.id], keys: KEYS, maxPoints: 2000 });
      const liveReadMs = performance.now() - t0;
      // the storage's own rate, the same rows inserted in-process: what HTTP, JSON and validation cost on top
      const ref = (await start('bench-ingest-0002')).run.id;
      const rows: MetricRow[] = KEYS.flatMap((key) =>
        Array.from({ length: STEPS_PER_BATCH }, (_, s) => ({ step: s, epoch: null, split: 'train' as const, key, value: 1 / (s + 1) })),
      );
      t0 = performance.now();
      for (let b = 0; b < 4; b++)
        host.app.ctx.repos.metrics.insertLog(
          ref,
          rows.map((r) => ({ ...r, step: r.step + b * STEPS_PER_BATCH })),
        );
      const rawPerS = (4 * rows.length) / ((performance.now() - t0) / 1000);
      const p95 = quantile(reads, 0.95);
      const q = (xs: number[]) => [0.5, 0.95].map((x) => quantile(xs, x).toFixed(1)).join('/');
      log(`${points} points in ${BATCHES} client.log calls over HTTP: ${(ms / 1000).toFixed(2)} s, ${Math.round(perS)} points/s`);
      log(
        `metrics.series of a ${KEYS.length * READ_STEPS}-point run, p50/p95: quiet ${q(quiet)} ms (${quiet.length}), during the ingest ${q(reads)} ms (${reads.length}), max ${Math.max(...reads).toFixed(1)} ms`,
      );
      log(`one read of the live run afterwards (${points} points, downsampled): ${liveReadMs.toFixed(0)} ms`);
      log(`reference, the same rows inserted in-process: ${Math.round(rawPerS)} points/s`);
      return {
        value: Math.round(perS),
        extra: {
          read_p95_ms: Number(p95.toFixed(1)),
          quiet_read_p95_ms: Number(quantile(quiet, 0.95).toFixed(1)),
          reads: reads.length,
          live_run_read_ms: Math.round(liveReadMs),
          raw_insert_points_per_s: Math.round(rawPerS),
          ratio_to_raw: Number((perS / rawPerS).toFixed(3)),
        },
      };
    } finally {
      await host.close();
    }
  },
};
