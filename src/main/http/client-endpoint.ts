import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { clientEndpointFile } from '../app/paths';
import { processAlive, tempPathFor } from '../io/temp-files';
import type { Dispatch } from '../rpc/dispatch';
import type { EventBus } from '../rpc/event-bus';
import { newToken } from './auth';
import { startHttpServer } from './http-server';

/** What `<data folder>/client-endpoint.json` holds: how a Python client on this machine reaches the host. */
export interface ClientEndpoint {
  url: string;
  token: string;
  pid: number;
}

/** The endpoint file's content, or null when there is none, it is unreadable, or its process is gone (a crash left it). */
export function readClientEndpoint(dataDir: string): ClientEndpoint | null {
  let v: Partial<ClientEndpoint>;
  try {
    v = JSON.parse(readFileSync(clientEndpointFile(dataDir), 'utf8')) as Partial<ClientEndpoint>;
  } catch {
    return null;
  }
  if (typeof v?.url !== 'string' || typeof v.token !== 'string' || !Number.isInteger(v.pid) || (v.pid as number) <= 0) return null;
  return processAlive(v.pid!) ? (v as ClientEndpoint) : null;
}

/**
 * Writes the endpoint file (temp file + rename, 0600: the token is as good as the user's password to their data) unless
 * another live host of this folder already holds it: the first one keeps answering clients. Returns the function that
 * removes it again, only while it is still ours; it also runs at process exit, so a quit that skips cleanup leaves none.
 */
export function advertiseClientEndpoint(dataDir: string, url: string, token: string): () => void {
  const file = clientEndpointFile(dataDir);
  const held = readClientEndpoint(dataDir);
  if (held && held.pid !== process.pid) return () => {};
  const tmp = tempPathFor(file);
  writeFileSync(tmp, JSON.stringify({ url, token, pid: process.pid } satisfies ClientEndpoint), { mode: 0o600 });
  chmodSync(tmp, 0o600); // whatever the umask
  renameSync(tmp, file);
  const remove = () => {
    process.removeListener('exit', remove);
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClientEndpoint>;
      if (now.pid === process.pid && now.token === token) rmSync(file, { force: true });
    } catch {
      /* gone already, or not ours to judge */
    }
  };
  process.once('exit', remove);
  return remove;
}

/** The address a client on this machine uses for a host bound to `host`: a wildcard bind is reached on loopback. */
export function localOrigin(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The desktop app's door for clients: the same contract over HTTP, token-gated with the browser host's rules (Host
 * header, Origin/CSRF, JSON only), on loopback and a free port, with a fresh token, advertised in the data folder.
 */
export async function startClientEndpoint(opts: { dispatch: Dispatch; bus: EventBus; dataDir: string }) {
  const token = newToken();
  const http = await startHttpServer({ dispatch: opts.dispatch, bus: opts.bus, token, host: '127.0.0.1', port: 0, dataDir: opts.dataDir });
  const unadvertise = advertiseClientEndpoint(opts.dataDir, http.origin, token);
  return {
    url: http.origin,
    port: http.port,
    token,
    async close() {
      unadvertise();
      await http.close();
    },
  };
}
