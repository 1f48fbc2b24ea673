// Everything agent modules use (listed by name in agent.ts), then the orchestrator side.
export * from './agent.ts';
export type { MissingDependency } from './errors.ts';
export { DependencyError, deserializeError, serializeError } from './errors.ts';
export type {
  AnyOrchestratorEvent,
  LifecyclePhase,
  OrchestratorEventMap,
  OrchestratorEventName,
  TerminationReason,
} from './events/event-map.ts';
export { OrchestratorEvent } from './events/event-map.ts';
export type { EventQuery, StoredEvent } from './history/event-query.ts';
export type { EventStoreOptions, RetentionRule } from './history/event-store.ts';
export type { LogLevel, LogSink } from './logging/logger.ts';
export type { WaitingFor } from './orchestrator/agent-entry.ts';
export { AgentEntry } from './orchestrator/agent-entry.ts';
export type { AgentState, AgentStatus } from './orchestrator/agent-state.ts';
export type { AgentStats, HistoryEntry, HistoryEvent } from './orchestrator/agent-stats.ts';
export type { Dependency, DependencyCondition } from './orchestrator/dependency-graph.ts';
export { Orchestrator } from './orchestrator/orchestrator.ts';
export type { NestedSummary } from './orchestrator/orchestrator-agent.ts';
export { OrchestratorAgent } from './orchestrator/orchestrator-agent.ts';
export type { OrchestratorConfig, RunMode } from './orchestrator/orchestrator-config.ts';
export type { AgentOptions, DependencyInput } from './orchestrator/registration.ts';
export type { AgentStatusReport } from './orchestrator/status.ts';
export type { ResourceLimits } from './runtime/agent-runtime.ts';
