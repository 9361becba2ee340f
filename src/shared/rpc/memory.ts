import { encodeReply, type EventListener, type Reply, type Transport } from './envelope';

/** JSON round trip, so in-memory tests see exactly what the wire would carry. */
const wire = <T>(x: T): T => (x === undefined ? x : JSON.parse(JSON.stringify(x)));

/** The in-memory transport pair: a client-side Transport wired straight to a dispatcher and event source. */
export function createMemoryTransport(
  dispatch: (method: string, params: unknown) => Promise<Reply>,
  subscribe: (listener: EventListener) => () => void,
): Transport {
  return {
    invoke: async (method, params) => JSON.parse(encodeReply(await dispatch(method, wire(params)))) as Reply,
    onEvent: (listener) => subscribe((name, payload) => listener(name, wire(payload))),
  };
}
