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

/** Whether a host answers at `url` (a pid alive may be another program's after a crash and a reboot). */
async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Writes the endpoint file (temp file + rename, 0600: the token is as good as the user's password to their data) unless
 * another live host of this folder already holds it: the first one keeps answering clients. Returns the function that
 * removes it again, only while it is still ours; it also runs at process exit, so a quit that skips cleanup leaves none.
 */
export async function advertiseClientEndpoint(dataDir: string, url: string, token: string): Promise<() => void> {
  const file = clientEndpointFile(dataDir);
  const held = readClientEndpoint(dataDir);
  if (held && held.pid !== process.pid && (await answers(held.url))) return () => {};
  const tmp = tempPathFor(file);
  try {
    writeFileSync(tmp, JSON.stringify({ url, token, pid: process.pid } satisfies ClientEndpoint), { mode: 0o600 });
    chmodSync(tmp, 0o600); // whatever the umask
    renameSync(tmp, file);
  } catch (err) {
    // the host still serves; only clients that look for it in the data folder will not find it
    rmSync(tmp, { force: true });
    console.error(`Plateau: cannot write ${file} (${(err as Error).message}); Python clients need PLATEAU_URL and PLATEAU_TOKEN.`);
    return () => {};
  }
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
  const unadvertise = await advertiseClientEndpoint(opts.dataDir, http.origin, token);
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
