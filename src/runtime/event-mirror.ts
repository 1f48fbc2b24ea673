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
  /** Changes the child reported, applied here, by event: what this side did not change itself. */
  readonly #applied = new Map<RuntimeEventName, number>();
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
    this.#applied.set(name, (this.#applied.get(name) ?? 0) + 1);
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
      const known = this.#known.get(name)!;
      const applied = this.#applied.get(name) ?? 0;
      const value = await event.changed(known, signal);
      if (signal.aborted) continue;
      if (value !== this.#known.get(name)) {
        this.#known.set(name, value);
        send({ type: 'event', name, value });
      } else if (value === known && (this.#applied.get(name) ?? 0) === applied) {
        // Changed and changed back on this side before we looked (a set, then a clear at once):
        // the child gets both, so its waiters are released as ours were.
        send({ type: 'event', name, value: !value });
        send({ type: 'event', name, value });
      }
    }
  }
}
