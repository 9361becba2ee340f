import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createApp } from '../app/create-app';
import type { Db } from '../db/connection';
import { startHttpServer } from '../http/http-server';
import type { BenchCase } from './bench-case';

/** 201 runs x 4 keys x 6220 steps = 5 000 880 metric rows: the database of the Compare finding. */
const RUNS = 201;
const KEYS: [string, 'train' | 'test'][] = [
  ['train_loss', 'train'],
  ['train_acc', 'train'],
  ['test_loss', 'test'],
  ['test_acc', 'test'],
];
const STEPS = 6220;
/** What the Compare view asks for (renderer/api/live.ts). */
const MAX_POINTS = 2000;
const JOBS = 8;
const COMPARE_ROUNDS = 2;
/** A simple read is sent every READ_EVERY_MS whether or not the last one came back (open loop: a stall delays all). */
const READ_EVERY_MS = 20;

/**
 * Fills the metrics table in SQL (a recursive CTE: 5M rows in seconds, where a row-by-row insert from JS takes
 * ~40 s on 2 cores). Bench fixture only; the app writes metrics through the repo.
 */
function fillMetrics(db: Db, runIds: number[]): void {
  const fill = db.prepare(`INSERT INTO metrics (run_id, step, epoch, split, key, layer, value)
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
    SELECT ?, i, i, ?, ?, '', ? * 1000.0 / (i + 1000 + ?) + ((i * 7919 + ? * 31) % 997) / 1e5 FROM s`);
  db.transaction(() => {
    for (const runId of runIds) {
      // a smooth curve plus deterministic jitter: LTTB has something to choose between
      // keys in primary-key order, so every row appends to the b-tree
      for (const [k, [key, split]] of [...KEYS.entries()].sort((a, b) => (a[1][0] < b[1][0] ? -1 : 1)))
        fill.run(STEPS, runId, split, key, k + 1, runId, runId);
    }
  })();
}

/**
 * Clients run in threads of their own, the reads apart from the Compare (parsing its 46 MB reply takes a
 * while), so neither's timers share a thread with the host or with each other. Times are epoch ms.
 */
const CLIENT = `
const { parentPort, workerData: w } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
const call = async (method, params) => {
  const res = await fetch(w.origin + '/rpc/' + method, { method: 'POST', headers: { authorization: 'Bearer ' + w.token, 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const text = await res.text();
  const reply = JSON.parse(text);
  if (!reply.ok) throw new Error(method + ': ' + reply.error.message);
  return { result: reply.result, bytes: text.length };
};
async function reads() {
  const out = [], pending = new Set();
  let n = 0, stop = false;
  parentPort.once('message', () => (stop = true));
  const timer = setInterval(() => {
    const t0 = now();
    const i = n++;
    const p = (i % 2 ? call('runs.list', { projectId: w.projectId }) : call('runs.get', { id: w.runIds[i % w.runIds.length] }))
      // a read that fails (fetch gives up after 300 s without an answer) counts with the time it waited
      .then(() => out.push({ at: t0, ms: now() - t0 }), () => out.push({ at: t0, ms: now() - t0, failed: true }));
    pending.add(p);
    p.finally(() => pending.delete(p));
  }, w.readEveryMs);
  while (!stop) await new Promise((r) => setTimeout(r, 50));
  clearInterval(timer);
  await Promise.all(pending);
  return { reads: out };
}
async function compares() {
  const out = [];
  for (let r = 0; r < w.rounds; r++) {
    const t0 = now();
    try {
      const { result, bytes } = await call('metrics.series', { runIds: w.runIds.slice(0, 200), keys: w.keys, maxPoints: w.maxPoints });
      out.push({ at: t0, ms: now() - t0, series: result.length, points: result.reduce((a, s) => a + s.steps.length, 0), bytes });
    } catch (e) {
      out.push({ at: t0, ms: now() - t0, error: String(e && e.cause || e) });
      break;
    }
  }
  return { compares: out };
}
(w.role === 'reads' ? reads() : compares()).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

interface Read {
  at: number;
  ms: number;
  failed?: boolean;
}
interface Compare {
  at: number;
  ms: number;
  series?: number;
  points?: number;
  bytes?: number;
  error?: string;
}

/** Starts one client thread; `stop()` asks a reads client to finish; `report` is what it sends back. */
function client(role: 'reads' | 'compare', data: Record<string, unknown>) {
  const w = new Worker(CLIENT, { eval: true, workerData: { ...data, role } });
  const report = new Promise<{ reads?: Read[]; compares?: Compare[]; error?: string }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }).then((r) => {
    void w.terminate();
    if (r.error) throw new Error(`bench client: ${r.error}`);
    return r;
  });
  return { report, stop: () => w.postMessage('stop') };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const round1 = (x: number) => Number(x.toFixed(1));

/**
 * The `plateau serve` finding: a Compare query (metrics.series over 200 runs x 4 keys, maxPoints 2000)
 * on a 5M-row database, while 8 short training jobs run through the job manager, and simple reads
 * (runs.get / runs.list) sent every 20 ms over HTTP. The headline is the reads' p95.
 */
export const serveCompareBench: BenchCase = {
  name: 'serve_read_p95_under_compare',
  unit: 'ms',
  target: 'read p95 < 100 ms',
  async run(log) {
    const dataDir = mkdtempSync(join(tmpdir(), 'plateau-bench-serve-'));
    const app = createApp({ dataDir, host: 'browser', concurrency: JOBS, threads: 1 });
    try {
      log(`${availableParallelism()} core(s), load average ${loadavg()[0].toFixed(2)}`);
      const call = async <T>(method: string, params: unknown): Promise<T> => {
        const reply = await app.dispatch(method, params);
        if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
        return reply.result as T;
      };
      const project = await call<{ id: number }>('projects.create', { name: 'bench' });
      const runIds = Array.from(
        { length: RUNS },
        (_, i) => app.ctx.repos.runs.create({ projectId: project.id, name: `r${i}`, config: { seed: i }, status: 'succeeded', seed: i }).id,
      );
      let t0 = performance.now();
      fillMetrics(app.ctx.repos.db, runIds);
      log(`${((RUNS * KEYS.length * STEPS) / 1e6).toFixed(2)}M metric rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const token = 'bench';
      const host = await startHttpServer({
        dispatch: app.dispatch,
        bus: app.ctx.bus,
        token,
        host: '127.0.0.1',
        port: 0,
        staticDir: dataDir,
        dataDir,
      });
      try {
        // the host's own event loop: how long its longest synchronous stretches were (what every request waits behind)
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        const common = {
          origin: host.origin,
          token,
          projectId: project.id,
          runIds,
          keys: KEYS.map(([k]) => k),
          maxPoints: MAX_POINTS,
          rounds: COMPARE_ROUNDS,
          readEveryMs: READ_EVERY_MS,
        };
        // two quiet seconds of reads first: the machine's own noise floor (other load on it shows here)
        const readers = client('reads', common);
        await new Promise((r) => setTimeout(r, 2000));
        const jobsAt = performance.timeOrigin + performance.now();
        // 8 short runs: each posts epoch metrics and progress as fast as it trains
        const started = await call<{ id: number }[]>('runs.start', {
          projectId: project.id,
          preset: 'grokking-mlp',
          seeds: Array.from({ length: JOBS }, (_, i) => i),
          set: { 'dataset.p': 31, 'model.width': 32, epochs: 400, 'checkpoints.perDecade': 4 },
        });
        t0 = performance.now();
        await new Promise((r) => setTimeout(r, 500));
        const compares = (await client('compare', common).report).compares!;
        await new Promise((r) => setTimeout(r, 2000));
        readers.stop();
        const reads = (await readers.report).reads!;
        loop.disable();
        const active = app.ctx.repos.jobs.list({ active: true }).length;
        await app.ctx.jobs.idle();
        const trainS = (performance.now() - t0) / 1000;
        const ok = started.filter((r) => app.ctx.repos.runs.get(r.id).status === 'succeeded').length;
        for (const c of compares) {
          log(
            c.error
              ? `compare failed after ${c.ms.toFixed(0)} ms: ${c.error}`
              : `compare: ${c.series} series, ${c.points} points, ${(c.bytes! / 1e6).toFixed(1)} MB in ${c.ms.toFixed(0)} ms`,
          );
        }
        log(
          `${JOBS} training jobs: ${ok} succeeded, ${active} still active when the clients finished; all done after ${trainS.toFixed(1)} s`,
        );
        const inCompare = (r: Read) => compares.some((c) => r.at >= c.at && r.at <= c.at + c.ms);
        const quiet = reads.filter((r) => r.at < jobsAt).map((r) => r.ms);
        const all = reads.filter((r) => r.at >= jobsAt).map((r) => r.ms);
        const during = reads.filter(inCompare).map((r) => r.ms);
        const failed = reads.filter((r) => r.failed).length;
        const q3 = (xs: number[]) => [0.5, 0.95, 0.99].map((q) => quantile(xs, q).toFixed(1)).join('/');
        log(`quiet reads before the jobs: ${quiet.length}, p50/p95/p99 ${q3(quiet)} ms`);
        log(
          `reads: ${all.length} (${during.length} during a Compare, ${failed} failed); p50/p95/p99 all ${q3(all)} ms, during Compare ${q3(during)} ms, max ${Math.max(...all).toFixed(0)} ms`,
        );
        const loopMs = (ns: number) => round1(ns / 1e6);
        log(`host event loop delay: p99 ${loopMs(loop.percentile(99))} ms, max ${loopMs(loop.max)} ms`);
        return {
          value: round1(quantile(all, 0.95)),
          extra: {
            read_p50_ms: round1(quantile(all, 0.5)),
            read_p99_ms: round1(quantile(all, 0.99)),
            read_max_ms: round1(Math.max(...all)),
            compare_read_p95_ms: round1(quantile(during, 0.95)),
            compare_ms: round1(
              quantile(
                compares.map((c) => c.ms),
                0.5,
              ),
            ),
            loop_delay_p99_ms: loopMs(loop.percentile(99)),
            loop_delay_max_ms: loopMs(loop.max),
            quiet_read_p95_ms: round1(quantile(quiet, 0.95)),
            reads: all.length,
            failed_reads: failed,
            load_avg_1m: Number(loadavg()[0].toFixed(2)),
          },
        };
      } finally {
        await host.close();
      }
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default serveCompareBench;
