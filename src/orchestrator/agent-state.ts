import { OrchestratorError, type SerializedError } from '../errors.ts';
import type { TerminationReason } from '../events/event-map.ts';

/**
 * An agent's state: one union keyed on `status`, with each branch's data only where it belongs.
 * registered -> waiting -> starting -> ready -> running -> stopping -> completed | stopped | failed | skipped,
 * and back to waiting on a restart.
 */
export type AgentState =
  | { status: 'registered'; since: number }
  | { status: 'waiting'; since: number }
  | { status: 'starting'; since: number }
  | { status: 'ready'; since: number }
  | { status: 'running'; since: number }
  | { status: 'stopping'; since: number; forced: boolean }
  | { status: 'completed'; since: number; result: unknown }
  | { status: 'stopped'; since: number; reason: Extract<TerminationReason, 'stopped' | 'killed'> }
  | {
      status: 'failed';
      since: number;
      reason: Extract<TerminationReason, 'failed' | 'killed'>;
      error: SerializedError;
      exitCode: number | null;
      signal: string | null;
    }
  | { status: 'skipped'; since: number; reason: string };

export type AgentStatus = AgentState['status'];

const TERMINAL: ReadonlySet<AgentStatus> = new Set(['completed', 'stopped', 'failed', 'skipped']);
const LIVE: ReadonlySet<AgentStatus> = new Set(['starting', 'ready', 'running', 'stopping']);

const NEXT: Record<AgentStatus, readonly AgentStatus[]> = {
  registered: ['waiting', 'stopped', 'skipped'],
  waiting: ['starting', 'stopped', 'skipped'],
  starting: ['ready', 'running', 'stopping', 'completed', 'stopped', 'failed'],
  ready: ['running', 'stopping', 'completed', 'stopped', 'failed'],
  running: ['stopping', 'completed', 'stopped', 'failed'],
  stopping: ['completed', 'stopped', 'failed'],
  completed: ['waiting'],
  stopped: ['waiting'],
  failed: ['waiting'],
  skipped: ['waiting'],
};

/** Every status, in the order above (the history keeps a status as its index here). */
export const AGENT_STATUSES = Object.freeze(Object.keys(NEXT) as AgentStatus[]);

/** Ended: completed, stopped, failed or skipped. */
export function isTerminal(status: AgentStatus): boolean {
  return TERMINAL.has(status);
}

/** Holding a slot: starting, ready, running or stopping. */
export function isLive(status: AgentStatus): boolean {
  return LIVE.has(status);
}

export function canTransition(from: AgentStatus, to: AgentStatus): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(agent: string, from: AgentStatus, to: AgentStatus): void {
  if (!canTransition(from, to)) {
    throw new OrchestratorError('ERR_AGENT_STATE', `Agent "${agent}" cannot go from ${from} to ${to}.`);
  }
}
