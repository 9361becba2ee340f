import { PlateauError, type ErrorEnvelope } from '../api/errors';
import type { EventName, Events } from '../api/contract';

/** What every transport carries back for one call. */
export type Reply = { ok: true; result: unknown } | { ok: false; error: ErrorEnvelope };

export type EventListener = <E extends EventName>(name: E, payload: Events[E]) => void;

/** The two operations every front door needs; Electron IPC, HTTP+SSE and memory all provide them. */
export interface Transport {
  invoke(method: string, params: unknown): Promise<Reply>;
  onEvent(listener: EventListener): () => void;
}

/** Thrown on the client side when a call comes back as an error envelope. */
export class RpcError extends PlateauError {
  constructor(
    readonly method: string,
    envelope: ErrorEnvelope,
  ) {
    super(envelope.code, envelope.message, envelope.details);
    this.name = 'RpcError';
  }
}

/**
 * A result already encoded as JSON (UTF-8), made where the data was read (the reader worker), so the
 * host's thread neither serializes nor copies a large reply. Transports send the bytes as they are
 * (HTTP) or decode them (in-memory, Electron IPC) through encodeReply.
 */
export class EncodedResult<T = unknown> {
  /** The type the JSON decodes to (compile time only). */
  declare readonly decodesTo?: T;
  constructor(readonly json: Uint8Array) {}
  static of<T>(value: T): EncodedResult<T> {
    return new EncodedResult<T>(new TextEncoder().encode(JSON.stringify(value)));
  }
}

/** The JSON text of a reply, with an EncodedResult spliced in as the JSON it already is. */
export function encodeReply(reply: Reply): string {
  if (reply.ok && reply.result instanceof EncodedResult) return `{"ok":true,"result":${new TextDecoder().decode(reply.result.json)}}`;
  return JSON.stringify(reply);
}
