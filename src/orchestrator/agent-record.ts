import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import type { SerializedError } from '../errors.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import type { AgentRuntime } from '../runtime/agent-runtime.ts';
import type { AgentState } from './agent-state.ts';
import type { StatsRecorder } from './agent-stats.ts';
import type { DependencyCondition } from './dependency-graph.ts';
import type { NestedStatus } from './nested-status.ts';
import type { Registration } from './registration.ts';
import type { RestartTracker } from './restart-policy.ts';
import type { Schedulable } from './scheduler.ts';

/** The orchestrator's own, mutable record of one agent. `AgentEntry` is its public, read-only face. */
export interface AgentRecord extends Schedulable {
  readonly name: string;
  readonly AgentClass: AgentClass;
  readonly registration: Registration;
  /** Its control and state events, and the orchestrator's private stop request (`stopRequested`). */
  readonly events: AgentEvents;
  priority: number;
  sequence: number;
  /** Merged defaults + overrides; replaced by the validated config at start. */
  config: AgentConfig;
  state: AgentState;
  runtime: AgentRuntime | undefined;
  result: unknown;
  lastError: SerializedError | undefined;
  restarts: number;
  /** When the current run launched (`performance.now()`), for durations. */
  launchedAt: number | undefined;
  /** Resolved when the current run reaches a terminal state. */
  ended: Promise<void>;
  resolveEnded: () => void;
  stopTimer: NodeJS.Timeout | undefined;
  /** The furthest milestone of the current (or last) run, for dependents' conditions. */
  reached: DependencyCondition | undefined;
  /** While waiting: the dependencies whose condition is not met yet. */
  unmet: Map<string, DependencyCondition> | undefined;
  /** Between the stop and the relaunch of a restart: dependents keep waiting. */
  restarting: boolean;
  /** Counts, run times and history, fed by this agent's events. */
  readonly stats: StatsRecorder;
  /** Supervision: the restart policy and its bookkeeping. */
  readonly supervision: RestartTracker;
  /** Why the orchestrator forced this run's end as a failure (an unresponsive agent), if it did. */
  killReason: Error | undefined;
  /** For an OrchestratorAgent: its nested agents' status, from the events it passes up. */
  nested: NestedStatus | undefined;
  /** A restart by policy waiting out its backoff: when it fires, and how to cancel it. */
  pendingRestart: { at: number; cancel(): void } | undefined;
}
