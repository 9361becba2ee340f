import { invalid } from '../../shared/api/errors';
import type { TrainConfig } from '../../shared/domain/train-config';
import type { Model } from './models/model';
import { loadWeights } from './models/model';
import type { Optimizer, OptimizerState } from './optim/optimizer';

/**
 * Where to continue a run from: exactly what `onCheckpoint` delivered (a `CheckpointPayload`).
 * The run must use the same config (dataset, seed, epochs, batch size, schedule): the data, the
 * schedule and the shuffle order are regenerated from it, not stored in the checkpoint.
 */
export interface ResumeState {
  /** Optimizer steps completed; the position is derived from it (any step, mid-epoch included). */
  step: number;
  /** Epoch of the checkpoint; checked for consistency with `step` only. */
  epoch: number;
  weights: Record<string, { shape: number[]; data: Float32Array }>;
  /** Optimizer buffers. Without them (step > 0) the optimizer restarts from zero buffers: not exact. */
  optimizer?: OptimizerState;
}

export interface TrainOptions {
  resume?: ResumeState;
}

/** Where the loop starts: epoch (1-based) and batch index within it. */
export interface StartPosition {
  step: number;
  epoch: number;
  batch: number;
}

/** Validates a resume state against the run and returns where to start (step 0 if none). */
export function resumePosition(resume: ResumeState | undefined, stepsPerEpoch: number, config: TrainConfig): StartPosition {
  if (!resume) return { step: 0, epoch: 1, batch: 0 };
  const total = stepsPerEpoch * config.epochs;
  const { step, epoch } = resume;
  if (!Number.isInteger(step) || step < 0 || step > total) {
    throw invalid(`resume.step must be an integer in [0, ${total}] (epochs * steps per epoch)`, { field: 'resume.step', value: step });
  }
  // checkpoints label a mid-epoch step with the epoch in progress, a cancelled run with the last completed one
  const lo = Math.floor(step / stepsPerEpoch);
  const hi = Math.ceil(step / stepsPerEpoch);
  if (!Number.isInteger(epoch) || epoch < lo || epoch > hi) {
    throw invalid(`resume.epoch must be in [${lo}, ${hi}] for step ${step} (${stepsPerEpoch} steps per epoch)`, {
      field: 'resume.epoch',
      value: epoch,
    });
  }
  if (resume.optimizer && resume.optimizer.kind !== config.optimizer.kind) {
    throw invalid(`resume.optimizer.kind must be '${config.optimizer.kind}' (the config's optimizer), got '${resume.optimizer.kind}'`, {
      field: 'resume.optimizer.kind',
    });
  }
  if (resume.optimizer && resume.optimizer.step !== step) {
    throw invalid(`resume.optimizer.step must equal resume.step (${step}), got ${resume.optimizer.step}`, {
      field: 'resume.optimizer.step',
    });
  }
  return { step, epoch: lo + 1, batch: step - lo * stepsPerEpoch };
}

/** Writes the checkpoint's weights and optimizer buffers into a freshly built model and optimizer. */
export function restoreState(model: Model, opt: Optimizer, resume: ResumeState): void {
  try {
    loadWeights(model, resume.weights);
  } catch (err) {
    throw invalid(`resume.weights do not fit the model: ${(err as Error).message}`, { field: 'resume.weights' });
  }
  if (!resume.optimizer) return;
  const named = model.namedWeights();
  for (const [key, slot] of Object.entries(resume.optimizer.slots)) {
    const param = Object.keys(named).find((n) => key.startsWith(`${n}.`));
    if (!param || slot.shape.join('x') !== named[param].shape.join('x') || slot.data.length !== named[param].size) {
      throw invalid(`resume.optimizer.slots['${key}'] does not match a weight of the model (shape ${slot.shape.join('x')})`, {
        field: 'resume.optimizer.slots',
      });
    }
  }
  opt.setState(resume.optimizer);
}
