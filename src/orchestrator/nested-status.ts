/**
 * What a parent knows of the agents of a nested orchestrator: their status rows, kept from the
 * events the nested orchestrator passes up (the parent has no records for them).
 */
import type { AnyOrchestratorEvent } from '../events/event-map.ts';
import { isLive, isTerminal } from './agent-state.ts';
import type { AgentStatusReport } from './status.ts';

const uptimeAt = (row: AgentStatusReport, now: number) =>
  isLive(row.state) && row.startedAt !== undefined ? now - row.startedAt : undefined;

export class NestedStatus {
  readonly #rows = new Map<string, AgentStatusReport>();

  /** Takes in one event whose `agent` is already the full path. */
  observe(event: AnyOrchestratorEvent): void {
    if (event.type === 'orchestrator:all-agents-terminated') return;
    const path = event.payload.agent;
    if (event.type === 'agent:registered') {
      this.#rows.set(path, {
        name: path,
        state: 'registered',
        mode: event.payload.mode,
        pid: undefined,
        threadId: undefined,
        startedAt: undefined,
        uptimeMs: undefined,
        restarts: 0,
        exitCode: undefined,
        signal: undefined,
        lastError: undefined,
        waitingFor: undefined,
        groups: [],
      });
      return;
    }
    const row = this.#rows.get(path);
    if (!row) return;
    switch (event.type) {
      case 'agent:state-changed':
        row.state = event.payload.to;
        if (isTerminal(row.state)) {
          row.pid = undefined;
          row.threadId = undefined;
        }
        break;
      case 'agent:started':
        row.pid = event.payload.pid;
        row.threadId = event.payload.threadId;
        row.startedAt = event.payload.timestamp;
        break;
      case 'agent:restarted':
        row.restarts = event.payload.restarts;
        break;
      case 'agent:terminated':
        row.exitCode = event.payload.exitCode;
        row.signal = event.payload.signal;
        break;
      case 'agent:error':
        row.lastError = `${event.payload.error.name}: ${event.payload.error.message}`;
        break;
      default:
        break;
    }
  }

  /** Every nested agent's row, as of `now`. */
  rows(now: number): AgentStatusReport[] {
    return [...this.#rows.values()].map((row) => ({ ...row, uptimeMs: uptimeAt(row, now) }));
  }

  get(path: string, now: number): AgentStatusReport | undefined {
    const row = this.#rows.get(path);
    return row && { ...row, uptimeMs: uptimeAt(row, now) };
  }
}
