/** Waiting on and recording orchestrator events: the suite synchronises on these, never on sleeps. */
import type { AnyOrchestratorEvent, Orchestrator, OrchestratorEventMap } from '../../src/index.ts';

type EventName = keyof OrchestratorEventMap;

/**
 * Resolves with the next `event` whose payload matches. The listener is registered at once, so call
 * this before doing what triggers the event.
 */
export function nextEvent<K extends EventName>(
  orchestrator: Orchestrator,
  event: K,
  matches: (payload: OrchestratorEventMap[K]) => boolean = () => true,
): Promise<OrchestratorEventMap[K]> {
  return new Promise((resolve) => {
    const listener = (payload: OrchestratorEventMap[K]) => {
      if (!matches(payload)) return;
      orchestrator.off(event, listener);
      resolve(payload);
    };
    orchestrator.on(event, listener);
  });
}

/** Shorthand: the next `event` of the agent named `agent`. */
export function nextEventOf<K extends Exclude<EventName, 'orchestrator:all-agents-terminated'>>(
  orchestrator: Orchestrator,
  event: K,
  agent: string,
): Promise<OrchestratorEventMap[K]> {
  return nextEvent(orchestrator, event, (payload) => (payload as { agent: string }).agent === agent);
}

/** Every event from now on, in order, as `{ type, payload }`. */
export class EventLog {
  readonly all: AnyOrchestratorEvent[] = [];

  constructor(orchestrator: Orchestrator) {
    orchestrator.on('*', (event) => this.all.push(event));
  }

  /** Payloads of one event type, optionally of one agent. */
  of<K extends EventName>(type: K, agent?: string): OrchestratorEventMap[K][] {
    return this.all
      .filter((event) => event.type === type)
      .map((event) => event.payload as OrchestratorEventMap[K])
      .filter((payload) => agent === undefined || (payload as { agent?: string }).agent === agent);
  }

  /** `type` or `type:agent` of each event, for order checks. */
  sequence(agent?: string): string[] {
    return this.all
      .filter((event) => agent === undefined || (event.payload as { agent?: string }).agent === agent)
      .map((event) => event.type);
  }
}
