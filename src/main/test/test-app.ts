import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../shared/rpc/client';
import { createMemoryTransport } from '../../shared/rpc/memory';
import { createApp } from '../app/create-app';

/** A whole core in a temp folder, reached through the in-memory transport, as a front end would. */
/** One thread per job unless asked: test files run side by side on few cores. */
export function testApp(opts: { threads?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'plateau-test-'));
  const app = createApp({ dataDir, host: 'memory', concurrency: 1, threads: opts.threads ?? 1 });
  const client = createClient(createMemoryTransport(app.dispatch, app.ctx.bus.subscribe));
  return {
    app,
    client,
    dataDir,
    async dispose() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
