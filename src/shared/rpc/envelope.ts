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
  constructor(readonly method: string, envelope: ErrorEnvelope) {
    super(envelope.code, envelope.message, envelope.details);
    this.name = 'RpcError';
  }
}
