import type { SharedEvent } from '../events/shared-event.ts';
import type { ParentMessage } from '../protocol/messages.ts';
import type { RuntimeEventName } from './agent-runtime.ts';

/**
 * Keeps a process agent's copies of its events in step with the orchestrator's: a change on this
 * side (by the orchestrator, the user, or a thread agent sharing the event) is sent to the child;
 * a change the child reports is applied here.
 */
export class EventMirror {
  readonly #events: Record<RuntimeEventName, SharedEvent>;
  readonly #closed = new AbortController();

  constructor(events: Record<RuntimeEventName, SharedEvent>, send: (message: ParentMessage) => void) {
    this.#events = events;
    for (const [name, event] of Object.entries(events) as [RuntimeEventName, SharedEvent][]) {
      void this.#watch(name, event, send);
    }
  }

  apply(name: RuntimeEventName, value: boolean): void {
    this.#events[name]?.applyRemote(value);
  }

  close(): void {
    this.#closed.abort();
  }

  async #watch(
    name: RuntimeEventName,
    event: SharedEvent,
    send: (message: ParentMessage) => void,
  ): Promise<void> {
    let known = event.isSet();
    const signal = this.#closed.signal;
    while (!signal.aborted) {
      const value = await event.changed(known, signal);
      if (signal.aborted || value === known) continue;
      known = value;
      send({ type: 'event', name, value });
    }
  }
}
