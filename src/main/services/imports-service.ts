import { basename, resolve } from 'node:path';
import type { ServiceApi } from '../../shared/api/contract';
import type { ImportPreview } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { invalid, notFound } from '../../shared/api/errors';
import { matchArchitecture } from '../io/architecture-match';
import { matchGpt2 } from '../io/gpt2-match';
import { readCheckpoint, writeCheckpoint } from '../io/checkpoint-file';
import { inspectImport, isFolderImport } from '../io/import-file';
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

async function preview(path: string): Promise<ImportPreview> {
  const index = await inspectImport(resolve(path));
  const folder = isFolderImport(index) ? index : null;
  return {
    format: index.format,
    source: index.source,
    tensors: index.tensors.slice(0, MAX_LISTED),
    scalars: isFolderImport(index) ? {} : (index.scalars ?? {}),
    skipped: index.skipped ?? [],
    files: folder ? folder.files.map((f) => ({ path: f.path, step: f.step })) : [],
    settings: folder?.settings ?? {},
  };
}

export function importsService(ctx: AppContext): ServiceApi['imports'] {
  const { repos, bus } = ctx;
  return {
    inspect: ({ path }) => preview(path),
    evaluate: async ({ runId, dataset, activation }) => {
      const run = repos.runs.get(runId);
      if (run.origin !== 'imported') throw invalid(`Run ${runId} was trained here; its model is already known.`);
      const ckpts = repos.checkpoints.list(runId);
      if (!ckpts.length) throw notFound(`Run ${runId} has no checkpoints to evaluate.`);
      const first = await readCheckpoint(ckpts[0].file);
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
        const weights = Object.fromEntries(Object.entries(match.names).map(([ours, theirs]) => [ours, content.weights[theirs]]));
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
      // Inspect first: a file we cannot read is refused here, before any run exists.
      const p = await preview(path);
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
