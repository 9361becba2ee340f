import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { keepAliveOnErrors } from '../app/last-resort';
import { resolveDataDir } from '../app/paths';
import { startBrowserHost } from '../server';
import { emit, type GlobalOptions } from './output';

export const parsePort = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535.');
  return n;
};

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {}); // no desktop opener: the printed URL is enough
    child.unref();
  } catch {
    /* same */
  }
}

export function serveCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the workbench to a browser (loopback only unless told otherwise)')
    .option('-p, --port <port>', 'port (0 = any free port)', parsePort, 7860)
    .option('-H, --host <host>', 'address to bind', '127.0.0.1')
    .option('--token <token>', 'access token (default: a new random one; env PLATEAU_TOKEN)')
    .option('--no-open', 'do not open a browser')
    .action(async (o: { port: number; host: string; token?: string; open: boolean }) => {
      const g = globals();
      keepAliveOnErrors('plateau serve');
      const host = await startBrowserHost({
        dataDir: resolveDataDir(g.dataDir),
        host: o.host,
        port: o.port,
        token: o.token ?? process.env.PLATEAU_TOKEN,
        concurrency: g.jobs,
        threads: g.threads,
      });
      emit(
        g,
        { url: host.url, origin: host.origin, port: host.port, dataDir: host.app.ctx.dataDir },
        () => `Plateau is serving ${host.app.ctx.dataDir}\nOpen ${host.url}\nPress Ctrl+C to stop.`,
      );
      if (o.open && !g.json) openInBrowser(host.url);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await host.close();
    });
}
