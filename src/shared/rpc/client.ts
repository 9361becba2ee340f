import type { Api, EventName, Events } from '../api/contract';
import { RpcError, type Transport } from './envelope';

export type Client = Api & {
  /** Subscribe to one event; returns the unsubscribe function. */
  on<E extends EventName>(name: E, fn: (payload: Events[E]) => void): () => void;
};

/** A typed proxy: `client.projects.create({ name })` becomes `invoke('projects.create', { name })`. */
export function createClient(transport: Transport): Client {
  const namespaces = new Map<string, object>();
  const on = <E extends EventName>(name: E, fn: (payload: Events[E]) => void) =>
    transport.onEvent((n, payload) => {
      if ((n as EventName) === name) fn(payload as unknown as Events[E]);
    });
  return new Proxy({} as Client, {
    get(_target, ns) {
      if (ns === 'on') return on;
      if (typeof ns !== 'string' || ns === 'then') return undefined;
      let proxy = namespaces.get(ns);
      if (!proxy) {
        proxy = new Proxy(
          {},
          {
            get(_t, m) {
              if (typeof m !== 'string' || m === 'then') return undefined;
              const method = `${ns}.${m}`;
              return async (params: unknown = {}) => {
                const reply = await transport.invoke(method, params);
                if (!reply.ok) throw new RpcError(method, reply.error);
                return reply.result;
              };
            },
          },
        );
        namespaces.set(ns, proxy);
      }
      return proxy;
    },
  });
}
