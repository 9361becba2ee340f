import * as tf from '@tensorflow/tfjs';
import { placementOf, type TrainConfig } from '../../shared/domain/train-config';
import { checkpointSteps } from './checkpoint-schedule';
import { makeDataset } from './data/make-dataset';
import { createRng } from './data/prng';
import { disposeSplit, gatherRows, splitTensors, type SplitTensors } from './data/tensors';
import { evaluate } from './evaluate';
import { makeModel } from './models/make-model';
import { snapshotWeights, type Model } from './models/model';
import { makeOptimizer } from './optim/make-optimizer';
import type { OptimizerState } from './optim/optimizer';
import { makeSchedule } from './optim/schedule';
import { isActive, termLogKeys } from './interventions';
import { checkPlacements, partName, placedLayers, probeSeed } from './interventions-placed';
import { resumePosition, restoreState, type TrainOptions } from './resume';
import { trainStep } from './train-step';
import { parseTrainConfig } from './validate-config';

export type { ResumeState, TrainOptions } from './resume';

export interface EpochLog {
  step: number;
  epoch: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
  lr: number;
  /** Optimizer steps per second since the previous log (evaluation time included). */
  steps_per_s: number;
  /**
   * Mean over this epoch's steps of each active intervention term's unscaled batch value, keyed
   * `intervention_fam` / `intervention_anti_flatness` / `intervention_anti_collapse`; absent when none ran.
   */
  interventions?: Record<string, number>;
  /** A placed term's value per layer (key -> layer name -> mean, as `interventions`): terms placed off the head only. */
  interventionParts?: Record<string, Record<string, number>>;
  /** Loss and accuracy on each named evaluation set (a language, a corpus), by name. */
  sets?: Record<string, { loss: number; acc: number }>;
  /** Next-token prediction: losses are per token (nats), so perplexities are logged too. */
  nextToken?: boolean;
}

export interface CheckpointPayload {
  step: number;
  epoch: number;
  weights: Record<string, { shape: number[]; data: Float32Array }>;
  /** Optimizer buffers for an exact resume (absent at step 0). */
  optimizer?: OptimizerState;
  /** The model and splits as they are at this checkpoint, for measuring it in place; valid only during the hook. */
  live: { model: Model; train: SplitTensors; test: SplitTensors; sets: Record<string, SplitTensors> };
}

export interface TrainHooks {
  onEpoch?(log: EpochLog): void | Promise<void>;
  onCheckpoint?(ckpt: CheckpointPayload): void | Promise<void>;
  /** Polled before every step; 'cancel' stops after the current step. */
  control?(): 'run' | 'cancel';
}

export type TrainStatus = 'succeeded' | 'cancelled' | 'diverged';

export interface TrainSummary {
  status: TrainStatus;
  epochs: number;
  steps: number;
  wallSeconds: number;
  backend: string;
  last: EpochLog | null;
  /** Why training diverged (which loss went non-finite, at which step). */
  reason?: string;
  config: TrainConfig;
}

/** Lets worker messages (cancel) through without slowing a tight loop. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const YIELD_EVERY_MS = 50;

/**
 * Trains the model a config describes (validated here; bad fields -> PlateauError InvalidParams).
 * Deterministic for a given seed and backend. Every tensor it creates is disposed before returning.
 * `options.resume` continues from a checkpoint of the same config; the result equals the
 * uninterrupted run (same weights, logs and later checkpoints) on the same backend.
 */
export async function train(input: unknown, hooks: TrainHooks = {}, options: TrainOptions = {}): Promise<TrainSummary> {
  const config = parseTrainConfig(input);
  const started = performance.now();
  const ds = makeDataset(config.dataset, config.seed);
  const root = createRng(config.seed);
  const initRng = root.fork();
  const orderRng = root.fork();
  const n = ds.train.n;
  const batch = config.batchSize === 'full' ? n : Math.min(config.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / batch);
  const totalSteps = config.epochs * stepsPerEpoch;
  const lrAt = makeSchedule(config.schedule, config.optimizer.lr, totalSteps);
  checkPlacements(config);
  const saveAt = new Set(checkpointSteps(config.checkpoints, totalSteps, stepsPerEpoch, config.interventions));
  // checked before any tensor exists, so a bad checkpoint leaks nothing
  const start = resumePosition(options.resume, stepsPerEpoch, config);
  const termKeys = termLogKeys(config.interventions);
  const termLayers = config.interventions.map((t) =>
    placementOf(t) === 'head' || config.model.kind !== 'gpt' ? [] : placedLayers(placementOf(t), config.model.layers).map(partName),
  );
  // per term (config order): sums of its values and parts over the steps since the last log or the epoch's start, and their count
  const termSums = new Float64Array(config.interventions.length);
  const partSums = termLayers.map((l) => new Float64Array(l.length));
  const termSteps = new Int32Array(config.interventions.length);
  const resetTerms = () => {
    termSums.fill(0);
    termSteps.fill(0);
    for (const p of partSums) p.fill(0);
  };
  const model = makeModel(config.model, ds, initRng);
  const named = model.namedWeights();
  const names = Object.keys(named);
  const params = names.map((n) => named[n]);
  const opt = makeOptimizer(config.optimizer, named);
  const trainT = splitTensors(ds, ds.train, model.input);
  const testT = splitTensors(ds, ds.test, model.input, config.evalRows);
  // evaluation (and checkpoint measures) on the first evalRows rows: an LM's whole split per log would cost more than training
  const trainEval =
    config.evalRows !== undefined && config.evalRows < trainT.n ? splitTensors(ds, ds.train, model.input, config.evalRows) : trainT;
  const sets = Object.entries(ds.evalSets ?? {}).map(([name, split]) => ({
    name,
    t: splitTensors(ds, split, model.input, config.evalRows),
  }));

  let step = start.step;
  let epoch = start.step === 0 ? 0 : options.resume!.epoch;
  let status: TrainStatus = 'succeeded';
  let reason: string | undefined;
  let last: EpochLog | null = null;
  let lastSaved = options.resume ? start.step : -1;
  const save = async () => {
    lastSaved = step;
    await hooks.onCheckpoint?.({
      step,
      epoch,
      weights: await snapshotWeights(model),
      optimizer: step > 0 ? await opt.getState() : undefined,
      live: { model, train: trainEval, test: testT, sets: Object.fromEntries(sets.map(({ name, t }) => [name, t])) },
    });
  };

  let logTime = performance.now();
  let logStep = step;
  let lastLogged = -1;
  /** Evaluates and logs at `at` (an epoch, fractional between epoch ends); true when a loss went non-finite. */
  const log = async (at: number) => {
    const tr = await evaluate(model, trainEval, config.loss);
    const te = await evaluate(model, testT, config.loss);
    const setResults: Record<string, { loss: number; acc: number }> = {};
    for (const { name, t } of sets) setResults[name] = await evaluate(model, t, config.loss);
    const now = performance.now();
    last = {
      step,
      epoch: at,
      train_loss: tr.loss,
      train_acc: tr.acc,
      test_loss: te.loss,
      test_acc: te.acc,
      lr: lrAt(Math.max(0, step - 1)),
      steps_per_s: ((step - logStep) * 1000) / Math.max(1e-9, now - logTime),
      ...(sets.length ? { sets: setResults } : {}),
      ...(ds.sequence && config.loss === 'ce' ? { nextToken: true } : {}),
    };
    const ran = termKeys.flatMap((k, i) => (termSteps[i] > 0 ? [i] : []));
    if (ran.length > 0) last.interventions = Object.fromEntries(ran.map((i) => [termKeys[i], termSums[i] / termSteps[i]]));
    const placed = ran.filter((i) => termLayers[i].length > 0);
    if (placed.length > 0) {
      last.interventionParts = Object.fromEntries(
        placed.map((i) => [termKeys[i], Object.fromEntries(termLayers[i].map((l, j) => [l, partSums[i][j] / termSteps[i]]))]),
      );
    }
    resetTerms();
    logTime = now;
    logStep = step;
    lastLogged = step;
    await hooks.onEpoch?.(last);
    if (!Number.isFinite(tr.loss) || !Number.isFinite(te.loss)) {
      status = 'diverged';
      reason = `${Number.isFinite(tr.loss) ? 'test' : 'train'} loss is not finite at epoch ${Math.floor(at)} (step ${step})`;
      return true;
    }
    return false;
  };

  try {
    if (options.resume) restoreState(model, opt, options.resume);
    else if (saveAt.has(0)) await save();
    let yieldTime = performance.now();
    const order = Int32Array.from({ length: n }, (_, i) => i);
    // replay the shuffles of the epochs already done so the order stream is where it was
    if (batch < n) for (let e = 1; e < start.epoch; e++) orderRng.shuffle(order);
    outer: for (epoch = start.epoch; epoch <= config.epochs; epoch++) {
      if (batch < n) orderRng.shuffle(order);
      resetTerms();
      for (let b = epoch === start.epoch ? start.batch : 0; b < stepsPerEpoch; b++) {
        if (hooks.control?.() === 'cancel') {
          status = 'cancelled';
          epoch--;
          break outer;
        }
        const lr = lrAt(step);
        // the terms active while taking step `step + 1`, by index in the config
        const on = config.interventions.flatMap((t, i) => (isActive(t, epoch, step + 1) ? [i] : []));
        const active = on.map((i) => config.interventions[i]);
        const seed = probeSeed(config.seed, step);
        let r: { loss: number; terms: number[]; parts: number[][] };
        if (batch === n && trainT.yOneHot) {
          r = await trainStep(model, opt, params, names, trainT.x, trainT.yOneHot, lr, config.gradClip, active, config.loss, seed);
        } else {
          const { x, y1h } = gatherRows(trainT, order.subarray(b * batch, Math.min(n, (b + 1) * batch)));
          r = await trainStep(model, opt, params, names, x, y1h, lr, config.gradClip, active, config.loss, seed);
          tf.dispose([x, y1h]);
        }
        step++;
        on.forEach((t, i) => {
          termSums[t] += r.terms[i];
          termSteps[t]++;
          if (termLayers[t].length > 0) r.parts[i].forEach((v, j) => (partSums[t][j] += v));
        });
        const bad = [r.loss, ...r.terms].findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          status = 'diverged';
          const what = bad === 0 ? 'train loss' : termKeys[on[bad - 1]];
          reason = `${what} ${bad === 0 ? r.loss : r.terms[bad - 1]} at step ${step} (epoch ${epoch})`;
          break outer;
        }
        if (saveAt.has(step)) await save();
        if (config.logEverySteps && step % config.logEverySteps === 0 && step < totalSteps) {
          if (await log(epoch - 1 + (b + 1) / stepsPerEpoch)) break outer;
        }
        if (performance.now() - yieldTime > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          yieldTime = performance.now();
        }
      }
      const lastEpoch = epoch === config.epochs;
      if (lastEpoch ? lastLogged !== step : !config.logEverySteps && epoch % config.logEvery === 0) {
        if (await log(epoch)) break;
      }
      await yieldToEventLoop();
      yieldTime = performance.now();
    }
    if (epoch > config.epochs) epoch = config.epochs;
    // a cancelled run keeps its final state too (resumable); a diverged one holds NaNs, not worth saving
    if (status !== 'diverged' && (config.checkpoints.firstAndLast ?? true) && lastSaved !== step) await save();
  } finally {
    disposeSplit(trainT);
    disposeSplit(testT);
    if (trainEval !== trainT) disposeSplit(trainEval);
    for (const { t } of sets) disposeSplit(t);
    opt.dispose();
    model.dispose();
  }
  return {
    status,
    epochs: epoch,
    steps: step,
    wallSeconds: (performance.now() - started) / 1000,
    backend: tf.getBackend(),
    last,
    ...(reason ? { reason } : {}),
    config,
  };
}
