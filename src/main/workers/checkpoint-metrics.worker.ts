import { parentPort } from 'node:worker_threads';
import type { MetricRow } from '../../shared/jobs/messages';
import { checkpointRowsFrom, featureBuffers, type CheckpointCapture } from '../ml/metrics/checkpoint-rows';
import { leaveBlasThreadsAlone } from '../ml/lapack';
import { MEASURER_NICE, yieldCpuToHost } from './priority';

/** The train worker's helper thread: measures captured checkpoints while training goes on (pure JS, no tfjs). */
export type MeasureRequest =
  | { type: 'init'; weights: Record<string, { shape: number[]; data: Float32Array }> }
  | { type: 'measure'; id: number; capture: CheckpointCapture; at: { step: number; epoch: number } };
/** `spare`: the capture's feature buffers, handed back to be filled again (fresh memory costs more than the copy). */
export type MeasureReply = { id: number; rows: MetricRow[]; spare: ArrayBuffer[] } | { id: number; error: string };

yieldCpuToHost(MEASURER_NICE);
leaveBlasThreadsAlone(); // training's thread sets it per product

let init: Record<string, { shape: number[]; data: Float32Array }> | undefined;
parentPort!.on('message', (m: MeasureRequest) => {
  if (m.type === 'init') {
    init = m.weights;
    return;
  }
  try {
    const rows = checkpointRowsFrom(m.capture, m.at, init);
    const spare = featureBuffers(m.capture);
    parentPort!.postMessage({ id: m.id, rows, spare } satisfies MeasureReply, spare);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies MeasureReply);
  }
});
