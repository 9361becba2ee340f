import { EVENT_NAMES, type EventName, type Events } from '../../../shared/api/contract';
import type { EventListener, Reply, Transport } from '../../../shared/rpc/envelope';

/** Electron: the preload bridge. Same JSON envelopes as HTTP. */
function ipcTransport(bridge: PlateauBridge): Transport {
  return {
    invoke: (method, params) => bridge.invoke(method, params),
    onEvent: (listener) => bridge.onEvent((name, payload) => listener(name as EventName, payload as Events[EventName])),
  };
}

/** Browser host: POST /rpc/<method> with the session cookie; events over one shared EventSource. */
function httpTransport(): Transport {
  const listeners = new Set<EventListener>();
  let source: EventSource | undefined;
  const connect = () => {
    source = new EventSource('/rpc/events');
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as Events[typeof name];
        for (const l of listeners) l(name, payload);
      });
    }
  };
  return {
    async invoke(method, params): Promise<Reply> {
      let res: Response;
      try {
        res = await fetch(`/rpc/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(params ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'Unavailable', message: 'Cannot reach the Plateau host. Is `plateau serve` still running?' } };
      }
      try {
        return (await res.json()) as Reply;
      } catch {
        return { ok: false, error: { code: 'Unavailable', message: `The Plateau host answered ${res.status} ${res.statusText}.` } };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!source) connect();
      return () => listeners.delete(listener);
    },
  };
}

export const transport: Transport = window.plateau ? ipcTransport(window.plateau) : httpTransport();
