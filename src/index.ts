export type { AgentClass, AgentConfig, AgentContext } from './agents/base-agent.ts';
export { BaseAgent } from './agents/base-agent.ts';
export type { LoopingConfig } from './agents/looping-agent.ts';
export { LoopingAgent } from './agents/looping-agent.ts';
export { OneShotAgent } from './agents/one-shot-agent.ts';
export type { PeriodicConfig } from './agents/periodic-agent.ts';
export { PeriodicAgent } from './agents/periodic-agent.ts';
export type { AgentPlugin } from './agents/plugin.ts';
export type { ConfigIssue, ErrorCode, IssueSeverity, SerializedError } from './errors.ts';
export {
  AgentExitError,
  AgentKilledError,
  AgentLoadError,
  ConfigError,
  deserializeError,
  InvalidOptionError,
  OrchestratorError,
  serializeError,
  UnhandledRejectionError,
} from './errors.ts';
export type {
  AnyOrchestratorEvent,
  LifecyclePhase,
  OrchestratorEventMap,
  OrchestratorEventName,
  TerminationReason,
} from './events/event-map.ts';
export { OrchestratorEvent } from './events/event-map.ts';
export type { ControlEvents, StateEvents, WaitOptions } from './events/shared-event.ts';
export { SharedEvent } from './events/shared-event.ts';
export type { Logger, LogLevel, LogSink } from './logging/logger.ts';
export { AgentEntry } from './orchestrator/agent-entry.ts';
export type { AgentState, AgentStatus } from './orchestrator/agent-state.ts';
export { Orchestrator } from './orchestrator/orchestrator.ts';
export type { OrchestratorConfig, RunMode } from './orchestrator/orchestrator-config.ts';
export type { AgentOptions } from './orchestrator/registration.ts';
export type { AgentMode } from './protocol/messages.ts';
export type { ResourceLimits } from './runtime/agent-runtime.ts';
