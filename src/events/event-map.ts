import type { SerializedError } from '../errors.ts';
import type { AgentStatus } from '../orchestrator/agent-state.ts';
import type { AgentMode } from '../protocol/messages.ts';

/** Names of every event the orchestrator emits. */
export const OrchestratorEvent = {
  AGENT_REGISTERED: 'agent:registered',
  AGENT_QUEUED: 'agent:queued',
  AGENT_STARTED: 'agent:started',
  AGENT_READY: 'agent:ready',
  AGENT_RUNNING: 'agent:running',
  AGENT_STOPPING: 'agent:stopping',
  AGENT_TERMINATED: 'agent:terminated',
  AGENT_ERROR: 'agent:error',
  AGENT_RESTARTED: 'agent:restarted',
  AGENT_RESTART_LIMIT: 'agent:restart-limit',
  AGENT_SKIPPED: 'agent:skipped',
  AGENT_HEARTBEAT: 'agent:heartbeat',
  AGENT_UNRESPONSIVE: 'agent:unresponsive',
  AGENT_STATE_CHANGED: 'agent:state-changed',
  ALL_AGENTS_TERMINATED: 'orchestrator:all-agents-terminated',
} as const;

export type OrchestratorEventName = (typeof OrchestratorEvent)[keyof typeof OrchestratorEvent];

/** Every event name, for checking names that come from outside (queries, nested orchestrators). */
export const ORCHESTRATOR_EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(OrchestratorEvent));

export function isOrchestratorEventName(name: unknown): name is OrchestratorEventName {
  return typeof name === 'string' && ORCHESTRATOR_EVENT_NAMES.has(name);
}

/** Why an agent ended. */
export type TerminationReason = 'completed' | 'stopped' | 'failed' | 'killed';

/** Where in its lifecycle an agent failed. */
export type LifecyclePhase =
  | 'config'
  | 'plugins'
  | 'setup'
  | 'work'
  | 'stop'
  | 'close'
  | 'unhandled'
  | 'runtime';

interface AgentPayload {
  /** Agent name (a path such as `parent/child` for agents of nested orchestrators). */
  agent: string;
  /** `Date.now()` when it happened. */
  timestamp: number;
}

/** Payload of each event, by name. One map drives `on`, `emit`, the async iterator and the history. */
export interface OrchestratorEventMap {
  'agent:registered': AgentPayload & { mode: AgentMode };
  'agent:queued': AgentPayload & { position: number };
  'agent:started': AgentPayload & { mode: AgentMode; pid: number; threadId: number | undefined };
  'agent:ready': AgentPayload;
  'agent:running': AgentPayload;
  'agent:stopping': AgentPayload & { forced: boolean };
  'agent:terminated': AgentPayload & {
    reason: TerminationReason;
    exitCode: number | null;
    signal: string | null;
    result: unknown;
    error: SerializedError | undefined;
    durationMs: number;
  };
  'agent:error': AgentPayload & { phase: LifecyclePhase; error: SerializedError };
  /** `automatic`: by the agent's restart policy (after `delayMs` of backoff); otherwise by hand. */
  'agent:restarted': AgentPayload & { restarts: number; automatic: boolean; delayMs: number };
  /** The restart policy gave up: `maxRestarts` within `withinMs` were used. The agent stays failed. */
  'agent:restart-limit': AgentPayload & { restarts: number; maxRestarts: number; withinMs: number };
  'agent:skipped': AgentPayload & { reason: string };
  'agent:heartbeat': AgentPayload & { sequence: number };
  /** Sent one heartbeat or more, then none for `unresponsiveAfter` check intervals. Once per silence. */
  'agent:unresponsive': AgentPayload & { silentMs: number; lastSequence: number };
  'agent:state-changed': AgentPayload & { from: AgentStatus; to: AgentStatus };
  'orchestrator:all-agents-terminated': {
    orchestrator: string;
    timestamp: number;
    completed: number;
    stopped: number;
    failed: number;
    killed: number;
    skipped: number;
  };
}

/** Any event, tagged with its name: what wildcard listeners and the async iterator receive. */
export type AnyOrchestratorEvent = {
  [K in OrchestratorEventName]: { type: K; payload: OrchestratorEventMap[K] };
}[OrchestratorEventName];
