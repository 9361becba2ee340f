import { resolve } from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import { collectReportData } from '../reports/report-data';
import { parseFormats, writeReport } from '../reports/write-report';
import { emit, type GlobalOptions } from './output';
import { findProject } from './projects-command';
import { withClient } from './session';

/** "1,2, 3" -> [1, 2, 3]; anything but positive integers is refused with the offending item named. */
export function parseRunIds(list: string): number[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !/^\d+$/.test(s) || Number(s) < 1);
  if (bad.length || !items.length) throw invalid(`--runs takes run ids separated by commas (e.g. 1,2,3); got '${list}'.`);
  return items.map(Number);
}

/** `plateau report`: a comparison report of a project's runs (or chosen runs) as HTML, PDF, CSV, TeX, SVG and PNG. */
export function reportCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('report')
    .description('write a comparison report of runs: self-contained HTML, PDF, CSV, LaTeX table, SVG and PNG figures')
    .option('--project <name>', 'report every run of this project (name or id)')
    .option('--runs <ids>', 'report these runs, e.g. 1,2,3')
    .requiredOption('--out <dir>', 'folder to write the report into (created if missing)')
    .option('--formats <list>', 'comma-separated: html, pdf, csv, tex, svg, png', 'html,csv')
    .action((o: { project?: string; runs?: string; out: string; formats: string }) => {
      if (!o.project && !o.runs) throw invalid('Choose what to report: --project NAME or --runs 1,2,3.');
      const formats = parseFormats(o.formats);
      const runIds = o.runs ? parseRunIds(o.runs) : undefined;
      return withClient(globals(), async (client, app) => {
        const projectId = o.project ? (await findProject(client, o.project)).id : undefined;
        const data = collectReportData(app.ctx, { projectId, runIds });
        const written = await writeReport(data, { outDir: resolve(o.out), formats });
        emit(globals(), { title: data.title, runs: data.runs.map((r) => r.id), ...written, notes: data.notes }, () =>
          [
            `${data.title}: ${data.runs.length} run(s), ${written.files.length} file(s):`,
            ...written.files.map((f) => `  ${f}`),
            ...written.skipped.map((s) => `Skipped ${s.format}: ${s.reason}`),
            ...data.notes.map((n) => `Note: ${n}`),
          ].join('\n'),
        );
      });
    });
}
