import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWorker, MetricRow, ToWorker } from '../../shared/jobs/messages';
import { readCheckpoint, writeCheckpoint } from '../io/checkpoint-file';
import { initBackend, type BackendName } from '../ml/backend';
import { checkpointMetricRows } from '../ml/metrics/model-metrics';
import { readsSynchronously } from '../../shared/domain/types';
import { train, type EpochLog } from '../ml/train';
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

const EPOCH_KEYS = [['train_loss', 'train'], ['train_acc', 'train'], ['test_loss', 'test'], ['test_acc', 'test'], ['lr', 'none'], ['steps_per_s', 'none']] as const;

async function main() {
  yieldCpuToHost(); // before the backend starts its threads, so they inherit it
  const backend = await initBackend(data.backend, { threads: data.threads });
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
   * A checkpoint waits for the log of the epoch it ends and goes with it as one message, which the host
   * stores in one transaction: a kill -9 then keeps both or neither. Resuming from it starts at the next
   * epoch, so a checkpoint stored without its epoch's log would leave that epoch's rows missing for good.
   */
  let pending: Extract<FromWorker, { type: 'checkpoint' }> | undefined;
  const postCheckpoint = () => {
    if (!pending) return;
    post({ ...pending, rows: [...(pending.rows ?? []), ...rows] }); // its metrics, then the epoch's log (as before: the log wins a shared key)
    pending = undefined;
    rows = [];
    lastFlush = performance.now();
  };
  const startedAt = performance.now();
  const resume = data.resumeFile ? await readCheckpoint(data.resumeFile) : undefined;
  // Metrics read tensors synchronously, which WebGPU cannot: there a metrics job follows training instead.
  let measureLive = !!data.metrics && readsSynchronously(backend.name);
  const stepZero = join(ckptDir, checkpointName(0));
  let init = resume && existsSync(stepZero) ? (await readCheckpoint(stepZero)).weights : undefined;

  const summary = await train(data.config, {
    async onEpoch(log: EpochLog) {
      for (const [key, split] of EPOCH_KEYS) {
        const value = log[key];
        if (Number.isFinite(value)) rows.push({ step: log.step, epoch: log.epoch, split, key, value });
      }
      // an active intervention term's batch mean over the epoch (intervention_anti_flatness, ...): plotted beside the metrics
      for (const [key, value] of Object.entries(log.interventions ?? {})) {
        if (Number.isFinite(value)) rows.push({ step: log.step, epoch: log.epoch, split: 'train', key, value });
      }
      if (pending) postCheckpoint();
      else if (performance.now() - lastFlush > FLUSH_MS) flush();
      const elapsed = (performance.now() - startedAt) / 1000;
      const fraction = log.epoch / epochs;
      post({
        type: 'progress',
        fraction,
        message: `epoch ${log.epoch}/${epochs}`,
        values: { step: log.step, epoch: log.epoch, train_loss: log.train_loss, train_acc: log.train_acc, test_loss: log.test_loss, test_acc: log.test_acc, steps_per_s: log.steps_per_s, eta_s: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0 },
      });
      if (control === 'pause') {
        postCheckpoint();
        flush();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    onCheckpoint(c) {
      const file = join(ckptDir, checkpointName(c.step));
      const { bytes, sha256 } = writeCheckpoint(file, { step: c.step, epoch: c.epoch, weights: c.weights, optimizer: c.optimizer, config: data.config });
      postCheckpoint(); // two checkpoints in one epoch: the earlier goes first
      flush(); // metrics up to here land before the checkpoint row
      if (c.step === 0) init = c.weights;
      let measured: MetricRow[] = [];
      if (measureLive) {
        try {
          measured = checkpointMetricRows(c.live.model, c.live.train, c.live.test, { step: c.step, epoch: c.epoch }, init);
        } catch {
          measureLive = false; // training goes on; the metrics job after it measures every checkpoint and reports why
        }
      }
      // posted with its epoch's log (train() saves before it logs the epoch): see postCheckpoint
      pending = { type: 'checkpoint', step: c.step, epoch: c.epoch, file, bytes, sha256, rows: measured };
    },
    control: () => (control === 'cancel' ? 'cancel' : 'run'),
  }, resume ? { resume: { step: resume.step, epoch: resume.epoch, weights: resume.weights, optimizer: resume.optimizer } } : {})
    .finally(() => {
      flush();
      postCheckpoint(); // the final checkpoint, saved after the last epoch's log; or the last one before an error
    });
  post({ type: 'done', result: { ...summary, config: undefined, checkpointMetrics: measureLive } as Record<string, unknown> });
}

main().catch(port.fail);
