import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWorker, MetricRow, ToWorker } from '../../shared/jobs/messages';
import { readCheckpoint, writeCheckpoint } from '../io/checkpoint-file';
import { initBackend, type BackendName } from '../ml/backend';
import { captureCheckpoint } from '../ml/metrics/model-metrics';
import { readsSynchronously } from '../../shared/domain/types';
import { train, type EpochLog } from '../ml/train';
import { startMeasurer } from './measurer';
import { loadWorkerPlugins } from './plugins';
import { workerPort } from './port';
import { yieldCpuToHost } from './priority';

/** What the train runner hands this worker. */
export interface TrainWorkerData {
  config: unknown;
  runDir: string;
  backend?: BackendName;
  /** Compute threads (wasm's pool); 1 when absent. */
  threads?: number;
  /** Continue from this checkpoint file (a resumed run) instead of from scratch. */
  resumeFile?: string;
  /** Measure each checkpoint as it is written (closed-form and weights-only metrics), so they plot live. */
  metrics?: boolean;
}

const port = workerPort<TrainWorkerData>();
const { data, post } = port;
const FLUSH_MS = 250; // metric rows go to the database in batches

let control: 'run' | 'cancel' | 'pause' = 'run';
let wake: (() => void) | undefined;
port.onMessage((m: ToWorker) => {
  if (m.type !== 'control') return;
  control = m.action === 'resume' ? 'run' : m.action;
  if (control !== 'pause') wake?.();
});

const checkpointName = (step: number) => `step-${String(step).padStart(8, '0')}.safetensors`;

const EPOCH_KEYS = [
  ['train_loss', 'train'],
  ['train_acc', 'train'],
  ['test_loss', 'test'],
  ['test_acc', 'test'],
  ['lr', 'none'],
  ['steps_per_s', 'none'],
] as const;

async function main() {
  yieldCpuToHost(); // before the backend starts its threads, so they inherit it
  const backend = await initBackend(data.backend, { threads: data.threads });
  await loadWorkerPlugins(data);
  post({ type: 'ready', backend: backend.name, tfjsVersion: backend.tfjsVersion, threads: backend.threads, blas: backend.blas });
  const ckptDir = join(data.runDir, 'checkpoints');
  mkdirSync(ckptDir, { recursive: true });
  const epochs = (data.config as { epochs?: number }).epochs ?? 1;

  let rows: MetricRow[] = [];
  let lastFlush = 0;
  const flush = () => {
    if (rows.length) post({ type: 'metrics', rows });
    rows = [];
    lastFlush = performance.now();
  };
  /**
   * A checkpoint's row goes to the host only after its epoch's log, and with its measured metrics, in one
   * message the host stores in one transaction. Resuming starts after the last stored checkpoint, so rows of
   * its step stored apart from it could be lost for good by a kill -9; rows stored before it are merely
   * written again. Its metrics come from a helper thread, so checkpoints wait here, in order, until then.
   */
  const waiting: { msg: Extract<FromWorker, { type: 'checkpoint' }>; rows: Promise<MetricRow[] | null> }[] = [];
  let posting = Promise.resolve();
  const postCheckpoints = () => {
    flush(); // the epoch's log first
    for (const w of waiting.splice(0)) posting = posting.then(async () => post({ ...w.msg, rows: (await w.rows) ?? [] }));
  };
  const startedAt = performance.now();
  const resume = data.resumeFile ? await readCheckpoint(data.resumeFile) : undefined;
  // Metrics read tensors synchronously, which WebGPU cannot: there a metrics job follows training instead.
  // The features are read here; the metrics are computed on a helper thread while training goes on.
  let liveOff: string | undefined;
  const measurer =
    data.metrics && readsSynchronously(backend.name)
      ? startMeasurer(new URL('./checkpoint-metrics.worker.js', import.meta.url), (message) => (liveOff = message))
      : undefined;
  const stepZero = join(ckptDir, checkpointName(0));
  if (resume && existsSync(stepZero)) measurer?.setInit((await readCheckpoint(stepZero)).weights);

  const summary = await train(
    data.config,
    {
      async onEpoch(log: EpochLog) {
        for (const [key, split] of EPOCH_KEYS) {
          const value = log[key];
          if (Number.isFinite(value)) rows.push({ step: log.step, epoch: log.epoch, split, key, value });
        }
        const at = { step: log.step, epoch: log.epoch };
        if (log.nextToken) {
          rows.push({ ...at, split: 'train', key: 'perplexity', value: Math.exp(log.train_loss) });
          rows.push({ ...at, split: 'test', key: 'perplexity', value: Math.exp(log.test_loss) });
        }
        // named evaluation sets (METRICS.md): every split-scoped key under the set's name
        for (const [split, r] of Object.entries(log.sets ?? {})) {
          const values = {
            loss: r.loss,
            acc: r.acc,
            gap_loss: r.loss - log.train_loss,
            ...(log.nextToken ? { perplexity: Math.exp(r.loss) } : {}),
          };
          for (const [key, value] of Object.entries(values)) if (Number.isFinite(value)) rows.push({ ...at, split, key, value });
        }
        // an active intervention term's batch mean over the epoch (intervention_anti_flatness, ...): plotted beside the metrics
        for (const [key, value] of Object.entries(log.interventions ?? {})) {
          if (Number.isFinite(value)) rows.push({ step: log.step, epoch: log.epoch, split: 'train', key, value });
        }
        // a term placed off the head: also each placed layer's part, under the layer's name (the sum is the row above)
        for (const [key, parts] of Object.entries(log.interventionParts ?? {})) {
          for (const [layer, value] of Object.entries(parts)) {
            if (Number.isFinite(value)) rows.push({ step: log.step, epoch: log.epoch, split: 'train', key, layer, value });
          }
        }
        if (waiting.length) postCheckpoints();
        else if (performance.now() - lastFlush > FLUSH_MS) flush();
        const elapsed = (performance.now() - startedAt) / 1000;
        const fraction = log.epoch / epochs;
        post({
          type: 'progress',
          fraction,
          message: `epoch ${log.epoch}/${epochs}`,
          values: {
            step: log.step,
            epoch: log.epoch,
            train_loss: log.train_loss,
            train_acc: log.train_acc,
            test_loss: log.test_loss,
            test_acc: log.test_acc,
            steps_per_s: log.steps_per_s,
            eta_s: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0,
          },
        });
        if (control === 'pause') {
          postCheckpoints();
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      async onCheckpoint(c) {
        const file = join(ckptDir, checkpointName(c.step));
        const { bytes, sha256 } = writeCheckpoint(file, {
          step: c.step,
          epoch: c.epoch,
          weights: c.weights,
          optimizer: c.optimizer,
          config: data.config,
        });
        let rows: Promise<MetricRow[] | null> = Promise.resolve([]);
        if (measurer && !measurer.failed) {
          if (c.step === 0) measurer.setInit(c.weights);
          try {
            const capture = captureCheckpoint(c.live.model, c.live.train, c.live.test, c.live.sets, measurer.take);
            ({ rows } = await measurer.measure(capture, {
              step: c.step,
              epoch: c.epoch,
            }));
          } catch (err) {
            liveOff ??= (err as Error).message; // training goes on; the metrics job after it measures every checkpoint
          }
        }
        waiting.push({ msg: { type: 'checkpoint', step: c.step, epoch: c.epoch, file, bytes, sha256 }, rows });
      },
      control: () => (control === 'cancel' ? 'cancel' : 'run'),
    },
    resume ? { resume: { step: resume.step, epoch: resume.epoch, weights: resume.weights, optimizer: resume.optimizer } } : {},
  ).finally(async () => {
    postCheckpoints(); // the final checkpoint, saved after the last epoch's log; or the last one before an error
    await posting;
    await measurer?.close();
  });
  const live = !!measurer && !liveOff && !measurer.failed;
  post({
    type: 'done',
    result: { ...summary, config: undefined, checkpointMetrics: live, ...(liveOff ? { liveMetricsOff: liveOff } : {}) } as Record<
      string,
      unknown
    >,
  });
}

main().catch(port.fail);
