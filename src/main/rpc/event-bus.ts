import type { EventName, Events } from '../../shared/api/contract';
import type { EventListener } from '../../shared/rpc/envelope';

/** Fan-out of core events to every connected front end (IPC windows, SSE clients, tests). */
export class EventBus {
  private listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch (err) {
        console.error(`event listener failed on ${name}:`, err);
      }
    }
  }

  subscribe = (listener: EventListener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
