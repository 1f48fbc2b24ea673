/**
 * `tsorchestrate/agent`: what agent modules need, without the orchestrator. Threads and processes
 * import agent modules in every fresh isolate, so importing from here keeps their start-up short.
 */

// Not used here. The transports import this module and this module imports the host, so the
// bundler sees one agent side (classes, host, lifecycle, errors, the package routing) reachable
// from the same entries, and emits it as one chunk: a fresh thread or process loads 2 of our
// modules, the transport and that chunk (an agent's `tsorchestrate/agent` is routed to the chunk,
// not to this module: see entry/own-package.ts).
import './entry/agent-host.ts';
import './entry/own-package.ts';

export type { AgentClass, AgentConfig, AgentContext } from './agents/base-agent.ts';
export { BaseAgent } from './agents/base-agent.ts';
export { HeartbeatPlugin } from './agents/heartbeat-plugin.ts';
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
  AgentOutOfMemoryError,
  AgentUnresponsiveError,
  ConfigError,
  InvalidOptionError,
  OrchestratorError,
  UnhandledRejectionError,
} from './errors.ts';
export type { AgentEventKey, AgentEvents } from './events/agent-events.ts';
export type { ControlEvents, StateEvents, WaitOptions } from './events/shared-event.ts';
export { SharedEvent } from './events/shared-event.ts';
export type { Logger } from './logging/logger.ts';
export type { AgentMode } from './protocol/messages.ts';
