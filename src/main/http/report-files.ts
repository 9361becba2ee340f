import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, extname } from 'node:path';
import { PlateauError } from '../../shared/api/errors';
import { reportFile } from '../services/report-folder';
import { safeDecode } from './safe-decode';
import { securityHeaders } from './static-files';

/** Where the browser host serves the files of reports written under the data folder's reports/. */
export const REPORTS_PREFIX = '/reports/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tex': 'text/x-tex; charset=utf-8',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

const refuse = (res: ServerResponse, status: number, message: string) =>
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders }).end(message);

/**
 * GET /reports/<path under reports/>: the file as a download (never rendered in the app's origin, so a
 * report's HTML cannot script the workbench). The caller has checked the token; paths are confined to
 * reports/ after links are followed (report-folder.ts).
 */
export function serveReport(dataDir: string, pathname: string, res: ServerResponse): void {
  const rel = safeDecode(pathname.slice(REPORTS_PREFIX.length));
  if (rel === undefined || rel === '' || rel.includes('\0'))
    return void refuse(res, 400, 'Bad report path: empty, malformed percent-encoding or a NUL byte.');
  // resolve() would take an absolute path as it is: only a path relative to reports/ is asked for here
  if (rel.startsWith('/') || rel.startsWith('\\') || /^[a-zA-Z]:/.test(rel))
    return void refuse(res, 400, 'Bad report path: give it relative to reports/.');
  let file: string;
  try {
    file = reportFile(dataDir, rel, new Set());
  } catch (err) {
    const code = err instanceof PlateauError ? err.code : 'Internal';
    return void refuse(res, code === 'NotFound' ? 404 : 400, (err as Error).message);
  }
  const name = basename(file);
  res.writeHead(200, {
    ...securityHeaders,
    'Content-Type': TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
    'Content-Disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'Cache-Control': 'no-store',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
