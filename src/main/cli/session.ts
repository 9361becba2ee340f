import { createClient, type Client } from '../../shared/rpc/client';
import { createMemoryTransport } from '../../shared/rpc/memory';
import { createApp, type App } from '../app/create-app';
import { loadPluginsFromEnv } from '../app/plugins';
import { resolveDataDir } from '../app/paths';
import type { GlobalOptions } from './output';

/** Opens the app in-process and hands a contract client to `fn`: the CLI goes through the same validation as every front door. */
export async function withClient<T>(opts: GlobalOptions, fn: (client: Client, app: App) => Promise<T>): Promise<T> {
  await loadPluginsFromEnv();
  const app = createApp({
    dataDir: resolveDataDir(opts.dataDir),
    host: 'cli',
    backend: opts.backend,
    concurrency: opts.jobs,
    threads: opts.threads,
  });
  try {
    return await fn(createClient(createMemoryTransport(app.dispatch, app.ctx.bus.subscribe)), app);
  } finally {
    await app.close();
  }
}
