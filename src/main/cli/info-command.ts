import type { Command } from 'commander';
import { loadBlas } from '../ml/blas';
import { metricsRoute } from '../ml/lapack';
import { emit, type GlobalOptions } from './output';
import { withClient } from './session';

export function infoCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('info')
    .description('show version, data folder, schema, tfjs backends, model families, datasets, import formats and metrics')
    .action(() =>
      withClient(globals(), async (client) => {
        const i = await client.system.info({});
        const jobs = await client.system.jobSettings({});
        // probed here, in the CLI's own short-lived process: the app's main process never loads a BLAS
        const blas = loadBlas()?.library ?? null;
        // the closed-form and weights-only metrics' float64 products and eigen-solves (same library, own entry points)
        const metricsLinalg = metricsRoute();
        // the metric registry, as every front end lists it
        const metrics = (await client.metrics.keys({})).map(({ key, family, producer, splits, parts, run }) => ({
          key,
          family,
          producer,
          splits,
          parts,
          run,
        }));
        const perFamily = [...new Set(metrics.map((m) => m.family))]
          .map((f) => `${f} ${metrics.filter((m) => m.family === f).length}`)
          .join(', ');
        emit(globals(), { ...i, jobs, blas, metricsLinalg, metrics }, () =>
          [
            `Plateau ${i.appVersion} (Node ${i.node}, ${i.platform}, ${i.cpus} cores)`,
            `data folder   ${i.dataDir}`,
            `schema        v${i.schemaVersion}`,
            `backends      installed: ${i.backends.available.join(', ') || 'none'}; jobs use: ${i.backends.chosen ?? 'none'}`,
            `wasm products ${blas ? `system BLAS (${blas})` : "wasm's own kernels (no system BLAS found: apt-get install libopenblas0)"}`,
            `metric linalg ${
              metricsLinalg.route === 'lapack' ? `system BLAS/LAPACK (${metricsLinalg.library})` : `JS (${metricsLinalg.why})`
            }`,
            `jobs          ${jobs.jobs} at once, ${jobs.threadsPerJob} thread(s) each${jobs.threads === null ? ' (automatic)' : ''}`,
            `import        ${i.importFormats.map((f) => (f.extensions.length ? `${f.id} (${f.extensions.map((e) => `.${e}`).join(' ')})` : f.id)).join(', ')}`,
            `models        ${i.modelFamilies.map((f) => f.kind).join(', ')}`,
            `datasets      ${i.datasets.map((d) => d.kind).join(', ')}`,
            `metrics       ${metrics.length} registered (${perFamily}); plateau metrics --list shows them`,
          ].join('\n'),
        );
      }),
    );
}
