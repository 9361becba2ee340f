import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ServiceApi } from '../../shared/api/contract';
import type { ImportLogRun, ImportPreview } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { invalid, notFound } from '../../shared/api/errors';
import { matchArchitecture } from '../io/architecture-match';
import { matchGpt2 } from '../io/gpt2-match';
import { readCheckpoint, writeCheckpoint } from '../io/checkpoint-file';
import { inspectImport, isFolderImport } from '../io/import-file';
import { findLogRuns } from '../io/logs/log-folder';
import { cachedLogRun, inspectLogs } from '../io/logs/log-import';
import { pointCount, type LogRun } from '../io/logs/log-run';
import { isEventFile } from '../io/logs/tensorboard';
import { parseModelAndData } from '../ml/validate-config';

/** Windows of each split an evaluated language model is measured on (its checkpoint metrics and losses). */
const LM_EVAL_ROWS = 64;

/** A GPT-2 checkpoint predicts over its own vocabulary: a text dataset whose tokenizer has another size cannot be scored. */
function checkVocabulary(dataset: Record<string, unknown>, vocab: number): void {
  if (dataset.kind !== 'text') {
    throw invalid(
      `A GPT-2 checkpoint predicts next tokens: evaluate it on a text dataset (dataset.kind 'text'), not '${String(dataset.kind)}'.`,
    );
  }
  if ((dataset.tokenizer ?? 'bytes') === 'bytes' && vocab !== 256) {
    throw invalid(
      `The checkpoint's vocabulary has ${vocab} tokens, the bytes tokenizer 256: use tokenizer 'bpe' with the model's tokenizer.json (tokenizerPath).`,
      { field: 'dataset.tokenizer' },
    );
  }
}

const MAX_LISTED = 5000; // tensors listed in a preview: a huge checkpoint's table stays usable

/** A log run as the preview lists it: series with their tags, the settings its files state. */
export function logRunPreview(run: LogRun): ImportLogRun {
  const series = run.series.map((s) => ({
    key: s.key,
    tag: s.tag,
    points: s.steps.length,
    firstStep: s.steps[0] ?? 0,
    lastStep: s.steps[s.steps.length - 1] ?? 0,
  }));
  return {
    path: run.source,
    name: run.name,
    format: run.format,
    series,
    points: pointCount(run),
    settings: run.settings,
    meta: run.meta,
    skipped: run.skipped,
  };
}

const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

async function preview(path: string): Promise<ImportPreview> {
  path = resolve(path);
  if (isEventFile(basename(path))) {
    throw invalid(`${path}: a TensorBoard event file; import its folder (${dirname(path)}), whose event files together are one run`, {
      source: path,
    });
  }
  // Checkpoints come first: a Trainer's output folder holds runs/<date>/events.out.tfevents.* beside its
  // checkpoint-<step>/ folders, and is a checkpoint import (its logs listed as left out). A folder with
  // logs and no checkpoints is a log import.
  const found = (await isDir(path)) ? await findLogRuns(path) : [];
  if (found.length) {
    const index = await inspectImport(path).catch(() => null);
    if (index) {
      const p = checkpointPreview(index);
      const note = (f: (typeof found)[number]) => ({ name: f.name, reason: `${f.format.label}: import ${f.dir} itself to bring them in` });
      return { ...p, skipped: [...p.skipped, ...found.map(note)] };
    }
    const logs = await inspectLogs(path, found);
    return {
      format: logs.format,
      source: logs.source,
      tensors: [],
      scalars: {},
      skipped: logs.runs.flatMap((r) => r.skipped.map((s) => ({ name: `${r.name}: ${s.name}`, reason: s.reason }))),
      files: [],
      settings: {},
      runs: logs.runs.map(logRunPreview),
    };
  }
  return checkpointPreview(await inspectImport(path));
}

function checkpointPreview(index: Awaited<ReturnType<typeof inspectImport>>): ImportPreview {
  const folder = isFolderImport(index) ? index : null;
  return {
    format: index.format,
    source: index.source,
    tensors: index.tensors.slice(0, MAX_LISTED),
    scalars: isFolderImport(index) ? {} : (index.scalars ?? {}),
    skipped: index.skipped ?? [],
    files: folder ? folder.files.map((f) => ({ path: f.path, step: f.step })) : [],
    settings: folder?.settings ?? {},
    runs: [],
  };
}

export function importsService(ctx: AppContext): ServiceApi['imports'] {
  const { repos, bus } = ctx;
  /**
   * The log run held in `path` as a run of the project (its series go in through the import job); null when
   * `path` holds none. A folder holding several runs (runs/) is refused: each is started by its own path.
   */
  /** The log run held in `dir` as a run of the project; its series go in through the import job. */
  const startLogRun = (projectId: number, run: LogRun, name: string | undefined) => {
    const created = repos.runs.create({
      projectId,
      name: name ?? run.name,
      config: {
        source: run.source,
        format: run.format,
        ...(Object.keys(run.settings).length ? { settings: run.settings } : {}),
        ...(Object.keys(run.meta).length ? { logInfo: run.meta } : {}),
        // metric key -> the tag its tool gave it (keys are sanitised tags)
        logTags: Object.fromEntries(run.series.map((s) => [s.key, s.tag])),
      },
      status: 'queued',
      origin: 'imported',
    });
    ctx.jobs.enqueue('import', projectId, created.id, { path: run.source, logs: true });
    repos.projects.touch(projectId);
    bus.emit('run.updated', { runId: created.id, projectId });
    return created;
  };
  return {
    inspect: ({ path }) => preview(path),
    evaluate: async ({ runId, dataset, activation }) => {
      const run = repos.runs.get(runId);
      if (run.origin !== 'imported') throw invalid(`Run ${runId} was trained here; its model is already known.`);
      const ckpts = repos.checkpoints.list(runId);
      if (!ckpts.length) throw notFound(`Run ${runId} has no checkpoints to evaluate.`);
      const first = await readCheckpoint(ckpts[0]!.file);
      const tensors = Object.entries(first.weights).map(([name, t]) => ({ name, shape: t.shape }));
      const gpt2 = matchGpt2(tensors, (run.config.settings ?? {}) as Record<string, unknown>);
      if (gpt2 && 'why' in gpt2) throw invalid(`Run ${runId} looks like a GPT-2 checkpoint, but ${gpt2.why}.`);
      const match = gpt2 ?? matchArchitecture(tensors);
      if (!match) {
        throw invalid(
          `Run ${runId}'s weights do not match a built-in architecture (an nn.Sequential of Linear layers whose shapes chain, or GPT-2), so it keeps its weights-only measures.`,
        );
      }
      if (match.kind === 'gpt') checkVocabulary(dataset, match.vocab);
      // Only what is known: the dataset chosen and the model read off the weights. How it was trained is
      // what the file states (config.fromFile), never filled in with defaults.
      const model = match.kind === 'gpt' ? match.model : { kind: 'mlp', hidden: match.hidden, activation, bias: match.bias };
      const { dataset: d, model: m } = parseModelAndData({ dataset, model });
      // a language model is measured on the first windows of each split: a whole corpus at a GPT-2 vocabulary would not fit
      const config = { dataset: d, model: m, ...(match.kind === 'gpt' ? { evalRows: LM_EVAL_ROWS } : {}) };
      // Checkpoints are rewritten under Plateau's names, so the metrics worker loads them like its own.
      for (const c of ckpts) {
        const content = c === ckpts[0] ? first : await readCheckpoint(c.file);
        const weights = Object.fromEntries(
          Object.entries(match.names).map(([ours, theirs]) => {
            const w = content.weights[theirs];
            if (!w) throw invalid(`${c.file} has no tensor '${theirs}', which the first checkpoint had: the series is not one model.`);
            return [ours, w];
          }),
        );
        const { bytes, sha256 } = writeCheckpoint(c.file, { step: c.step, epoch: c.epoch ?? 0, weights, config });
        repos.checkpoints.add({ runId, step: c.step, epoch: c.epoch, file: c.file, bytes, sha256 });
      }
      // Weights-only metrics measured at import move to the names the checkpoints now hold, so the metrics
      // job replaces them instead of storing each layer twice (model.0.weight and layers.0.weight).
      repos.metrics.renameLayers(runId, Object.fromEntries(Object.entries(match.names).map(([ours, theirs]) => [theirs, ours])));
      const { source, format, fromFile } = run.config; // an earlier evaluation's settings are replaced whole
      repos.runs.update(runId, { config: { source, format, ...(fromFile ? { fromFile } : {}), ...config, evaluatedFrom: match.names } });
      bus.emit('run.updated', { runId, projectId: run.projectId });
      return ctx.jobs.enqueue('metrics', run.projectId, runId, { checkpoints: 'all' });
    },
    start: async ({ projectId, path, name }) => {
      repos.projects.get(projectId);
      // A log run the last inspection read and checked (plateau import and the Import view start each by its folder)
      const cached = await cachedLogRun(resolve(path));
      if (cached) return startLogRun(projectId, cached, name);
      // Inspect first: a file we cannot read is refused here, before any run exists.
      const p = await preview(path);
      if (p.runs.length) {
        const own = await cachedLogRun(p.source);
        if (own) return startLogRun(projectId, own, name);
        const listed = p.runs.map((r) => r.path);
        throw invalid(
          `${p.source} holds ${listed.length} log runs; import each by its folder (plateau import does): ${listed.join(', ')}`,
          {
            source: p.source,
          },
        );
      }
      const run = repos.runs.create({
        projectId,
        name: name ?? basename(p.source),
        config: { source: p.source, format: p.format, ...(Object.keys(p.settings).length ? { settings: p.settings } : {}) },
        status: 'queued',
        origin: 'imported',
      });
      ctx.jobs.enqueue('import', projectId, run.id, { path: p.source });
      repos.projects.touch(projectId);
      bus.emit('run.updated', { runId: run.id, projectId });
      return run;
    },
  };
}
