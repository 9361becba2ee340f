import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { safeDecode } from './safe-decode';

/** The renderer's Content-Security-Policy; Electron sets the same one (see electron/security.ts). */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Mantine and ECharts set inline styles
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const securityHeaders = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Serves the built renderer; unknown paths get index.html (client-side routes). Never leaves `root`. */
export function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const decoded = safeDecode(pathname);
  if (decoded === undefined || decoded.includes('\0')) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad path: malformed percent-encoding or a NUL byte.');
    return;
  }
  let rel = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, rel);
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(400).end('Bad path');
    return;
  }
  if (!rel || !existsSync(file) || !statSync(file).isFile()) {
    rel = 'index.html';
    file = join(root, rel);
  }
  if (!existsSync(file)) {
    res
      .writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(`The workbench UI is not built (${file} is missing). Run 'npm run build' and start again.`);
    return;
  }
  const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { ...securityHeaders, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
