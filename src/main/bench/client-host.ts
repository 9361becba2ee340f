import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../app/create-app';
import { startHttpServer } from '../http/http-server';

/** resources/python (the plateau_client package), found upwards from this module (src/main/bench or out/main). */
export function pythonPackageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'resources/python');
    if (existsSync(join(candidate, 'plateau_client/__init__.py'))) return candidate;
  }
  throw new Error('resources/python/plateau_client not found above the bench module');
}

/** A browser host over a fresh data folder in this process, for the client benches; `close` removes it all. */
export async function benchHost(name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `plateau-bench-${name}-`));
  const app: App = createApp({ dataDir, host: 'browser', concurrency: 1, threads: 1 });
  const token = 'bench';
  const http = await startHttpServer({
    dispatch: app.dispatch,
    bus: app.ctx.bus,
    token,
    host: '127.0.0.1',
    port: 0,
    staticDir: dataDir,
    dataDir,
  });
  return {
    app,
    dataDir,
    token,
    origin: http.origin,
    async close() {
      await http.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
