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
  /** The value each event has on the child's side, as far as we know: a change to it is not sent back. */
  readonly #known = new Map<RuntimeEventName, boolean>();
  readonly #closed = new AbortController();

  constructor(events: Record<RuntimeEventName, SharedEvent>, send: (message: ParentMessage) => void) {
    this.#events = events;
    for (const [name, event] of Object.entries(events) as [RuntimeEventName, SharedEvent][]) {
      this.#known.set(name, event.isSet());
      void this.#watch(name, event, send);
    }
  }

  /** A change the child reported: applied here, and not echoed back to it. */
  apply(name: RuntimeEventName, value: boolean): void {
    const event = this.#events[name];
    if (!event) return;
    this.#known.set(name, value);
    event.applyRemote(value);
  }

  close(): void {
    // A reason of our own: abort() without one builds a DOMException and its stack, for every run.
    this.#closed.abort('mirror closed');
  }

  async #watch(
    name: RuntimeEventName,
    event: SharedEvent,
    send: (message: ParentMessage) => void,
  ): Promise<void> {
    const signal = this.#closed.signal;
    while (!signal.aborted) {
      const value = await event.changed(this.#known.get(name)!, signal);
      if (signal.aborted || value === this.#known.get(name)) continue;
      this.#known.set(name, value);
      send({ type: 'event', name, value });
    }
  }
}
