import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalid } from '../shared/api/errors';
import { createApp } from './app/create-app';
import { loadPluginsFromEnv } from './app/plugins';
import { isLoopback, newToken } from './http/auth';
import { advertiseClientEndpoint, localOrigin } from './http/client-endpoint';
import { startHttpServer } from './http/http-server';
import { cleanStaleUploads } from './http/upload';

export interface BrowserHostOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /** Explicit token (flag or PLATEAU_TOKEN); required to bind anywhere but loopback. */
  token?: string;
  staticDir?: string;
  /** Jobs at once and compute threads per job (AppOptions). */
  concurrency?: number;
  threads?: number;
}

/** The browser host: the whole core plus the built UI over HTTP, for remote GPU boxes and for tests. */
export async function startBrowserHost(opts: BrowserHostOptions) {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw invalid(
      `Refusing to listen on ${host} without an access token of your choosing: pass --token (or set PLATEAU_TOKEN), or bind to 127.0.0.1 and use an SSH tunnel.`,
    );
  }
  if (opts.token !== undefined && opts.token.length < 16) throw invalid('The access token must be at least 16 characters long.');
  await loadPluginsFromEnv();
  const app = createApp({ dataDir: opts.dataDir, host: 'browser', concurrency: opts.concurrency, threads: opts.threads });
  cleanStaleUploads(opts.dataDir);
  const here = dirname(fileURLToPath(import.meta.url));
  const token = opts.token ?? newToken();
  try {
    const http = await startHttpServer({
      dispatch: app.dispatch,
      bus: app.ctx.bus,
      token,
      host,
      port: opts.port ?? 0,
      staticDir: opts.staticDir ?? join(here, '../renderer'),
      dataDir: opts.dataDir,
    });
    // Python clients on this machine find the host through the data folder, as they find the desktop app's.
    const unadvertise = await advertiseClientEndpoint(opts.dataDir, localOrigin(host, http.port), token);
    return {
      ...http,
      app,
      async close() {
        unadvertise();
        await http.close();
        await app.close();
      },
    };
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw invalid(`Port ${opts.port} on ${host} is already in use. Choose another with --port, or 0 for any free port.`);
    throw err;
  }
}
