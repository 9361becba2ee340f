import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalid, unavailable } from '../../shared/api/errors';
import { removeStaleTemps, tempPathFor } from '../io/temp-files';
import { renderSvg, reportFigures } from './charts';
import { findChromium, NO_BROWSER } from './chromium';
import { groupsCsv, groupsTex } from './group-tables';
import { reportHtml, type RenderedFigure } from './html-report';
import { buildManifest } from './manifest';
import { chromiumPdf, chromiumPng, type PdfPrinter, type PngRasteriser } from './pdf';
import type { ReportData } from './report-data';
import { finalMetricsTex, metricsCsv, runsCsv } from './tables';

import { REPORT_FORMATS, type ReportFormat } from '../../shared/domain/types';

export { REPORT_FORMATS, type ReportFormat };

export interface WriteReportOptions {
  outDir: string;
  formats: ReportFormat[];
  /** HTML file -> PDF file; default headless Chromium. The Electron host passes one built on printToPDF. */
  pdf?: PdfPrinter;
  /** SVG file -> PNG file; default headless Chromium. */
  png?: PngRasteriser;
}

export interface WrittenReport {
  /** Absolute paths, in the order written; manifest.json (always written) comes last. */
  files: string[];
  /** Formats left out, with why (PNG without a browser). */
  skipped: { format: ReportFormat; reason: string }[];
}

/** Checks a user's list of formats: known names only, no duplicates kept. */
export function parseFormats(list: string | string[]): ReportFormat[] {
  const items = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = items.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length) throw invalid(`Unknown report format(s) ${bad.join(', ')}: choose from ${REPORT_FORMATS.join(', ')}.`);
  if (!items.length) throw invalid(`Choose at least one report format: ${REPORT_FORMATS.join(', ')}.`);
  return [...new Set(items)] as ReportFormat[];
}

/** report.pdf -> report.plateau-tmp-PID-RANDOM.pdf: the extension stays last, for browsers that look at it. */
const tempName = (path: string) => tempPathFor(path, { keepExtension: true });

/** Writes beside the final name, then renames: a reader never sees half a file. */
async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = tempName(path);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Lets an external producer (a browser) write a temp file, then renames it into place. */
async function produceAtomic(path: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempName(path);
  try {
    await produce(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes the report in each requested format into `outDir` and returns the files written. */
export async function writeReport(data: ReportData, opts: WriteReportOptions): Promise<WrittenReport> {
  const formats = parseFormats(opts.formats);
  const want = (f: ReportFormat) => formats.includes(f);
  const browser = (want('pdf') && !opts.pdf) || (want('png') && !opts.png) ? findChromium() : undefined;
  // Fail before writing anything when the PDF cannot be made; PNGs are only skipped.
  if (want('pdf') && !opts.pdf && !browser) throw unavailable(NO_BROWSER);
  await mkdir(opts.outDir, { recursive: true });
  // A report killed half-way left its temp files here; the folder is the user's, so only its top level and only ours.
  removeStaleTemps(opts.outDir, { recursive: false });
  const out: WrittenReport = { files: [], skipped: [] };
  const put = async (name: string, content: string) => {
    const path = join(opts.outDir, name);
    await writeAtomic(path, content);
    out.files.push(path);
    return path;
  };

  const figures = want('html') || want('pdf') || want('svg') || want('png') ? reportFigures(data) : [];
  const rendered: RenderedFigure[] = figures.map((figure) => ({ figure, svg: renderSvg(figure) }));
  // PDF and PNG need files on disk; when HTML or SVG were not asked for, those live in a scratch folder.
  const scratch =
    (want('pdf') && !want('html')) || (want('png') && !want('svg')) ? await mkdtemp(join(tmpdir(), 'plateau-report-')) : undefined;
  try {
    let htmlPath: string | undefined;
    if (want('html') || want('pdf')) {
      const html = reportHtml(data, rendered);
      if (want('html')) htmlPath = await put('report.html', html);
      else await writeFile((htmlPath = join(scratch!, 'report.html')), html);
    }
    if (want('csv')) {
      await put('runs.csv', runsCsv(data));
      await put('metrics.csv', metricsCsv(data));
      await put('groups.csv', groupsCsv(data));
    }
    if (want('tex')) {
      await put('groups.tex', groupsTex(data));
      await put('final-metrics.tex', finalMetricsTex(data));
    }
    const svgPaths: string[] = [];
    for (const { figure, svg } of rendered) {
      if (want('svg')) svgPaths.push(await put(`${figure.id}.svg`, svg));
      else if (want('png')) {
        const path = join(scratch!, `${figure.id}.svg`);
        await writeFile(path, svg);
        svgPaths.push(path);
      }
    }
    if (want('pdf')) {
      const pdfPath = join(opts.outDir, 'report.pdf');
      await produceAtomic(pdfPath, (tmp) => (opts.pdf ?? chromiumPdf)(htmlPath!, tmp));
      out.files.push(pdfPath);
    }
    if (want('png')) {
      if (!opts.png && !browser) out.skipped.push({ format: 'png', reason: NO_BROWSER });
      else {
        const raster = opts.png ?? chromiumPng;
        const pngs = rendered.map(({ figure }) => join(opts.outDir, `${figure.id}.png`));
        await Promise.all(
          rendered.map(({ figure }, i) =>
            produceAtomic(pngs[i], (tmp) => raster(svgPaths[i], tmp, { width: figure.width, height: figure.height })),
          ),
        );
        out.files.push(...pngs);
      }
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  // Last, so it can checksum everything else; a folder with a manifest is a complete report.
  await put('manifest.json', `${JSON.stringify(await buildManifest(data, opts.outDir, out), null, 2)}\n`);
  return out;
}
