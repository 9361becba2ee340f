import { resolve } from 'node:path';
import type { ServiceApi } from '../../shared/api/contract';
import type { AppContext } from '../app/context';
import type { PdfPrinter } from '../reports/pdf';
import { collectReportData } from '../reports/report-data';
import { writeReport } from '../reports/write-report';

/** `pdf`: how this host prints HTML to PDF (Electron's printToPDF); default headless Chromium. */
export function reportsService(ctx: AppContext, pdf?: PdfPrinter): ServiceApi['reports'] {
  return {
    export: async ({ projectId, runIds, outDir, formats }) => {
      const data = collectReportData(ctx, { projectId, runIds });
      const written = await writeReport(data, { outDir: resolve(outDir), formats, pdf });
      return { ...written, notes: data.notes };
    },
  };
}
