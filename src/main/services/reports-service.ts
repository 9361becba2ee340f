import type { ServiceApi } from '../../shared/api/contract';
import type { AppContext } from '../app/context';
import type { PdfPrinter } from '../reports/pdf';
import { collectReportData } from '../reports/report-data';
import { writeReport } from '../reports/write-report';
import { reportFolder, reportsRelative } from './report-folder';

/** `pdf`: how this host prints HTML to PDF (Electron's printToPDF); default headless Chromium. */
export function reportsService(ctx: AppContext, pdf?: PdfPrinter): ServiceApi['reports'] {
  return {
    export: async ({ projectId, runIds, outDir, formats }) => {
      const folder = reportFolder(ctx.dataDir, outDir, ctx.chosenFolders);
      const data = collectReportData(ctx, { projectId, runIds });
      const written = await writeReport(data, { outDir: folder, formats, pdf });
      return { ...written, downloads: written.files.map((f) => reportsRelative(ctx.dataDir, f)), notes: data.notes };
    },
  };
}
