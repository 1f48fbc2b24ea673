import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import type { SharedEvent } from '../events/shared-event.ts';
import type { LogSink } from '../logging/logger.ts';
import type { AgentMode, AgentSpec, ChildMessage, EventHandles } from '../protocol/messages.ts';
import type { ContextRunner } from './inline-guard.ts';

export type RuntimeEventName = keyof EventHandles;

/** How a thread or process ended (inline agents end with `exitCode` 0 or `forced`). */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** True when the orchestrator forced the end (terminate, SIGTERM/SIGKILL, abandon). */
  forced: boolean;
  /** An error the runtime saw that the agent could not report (e.g. a crash while loading). */
  error?: Error;
}

export interface RuntimeHandlers {
  message(message: ChildMessage): void;
  /** Called exactly once, the moment the runtime notices the end. */
  exit(info: ExitInfo): void;
}

export interface ResourceLimits {
  /** Thread and process agents: V8 old-generation heap ceiling, MB (`--max-old-space-size` for a process). */
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  stackSizeMb?: number;
}

/** What a runtime is launched with (read as it launches; the orchestrator's run object answers). */
export interface LaunchRequest {
  readonly name: string;
  /** The validated config. */
  readonly config: Record<string, unknown>;
  readonly logLevel: string;
  /** What a thread or process is sent to build and run the agent: made when asked for. */
  readonly spec: AgentSpec;
  /** The class itself, for inline agents. */
  readonly AgentClass: AgentClass;
  /** Plugin instances, for inline agents. */
  readonly plugins: readonly AgentPlugin[];
  /** Its events (a thread or process run makes and shares all of them). */
  readonly events: AgentEvents;
  readonly logSink: LogSink;
  /** Process agents: time between SIGTERM and SIGKILL on a forced stop, ms. */
  readonly killTimeout: number;
  readonly resourceLimits: ResourceLimits | undefined;
  /** Inline agents: the async context to start in (`undefined`: the current one). */
  readonly startIn: ContextRunner | undefined;
}

/** One running agent, whatever its mode. */
export interface AgentRuntime {
  readonly mode: AgentMode;
  readonly pid: number;
  readonly threadId: number | undefined;
  /** Forced stop: terminate the worker, SIGTERM then SIGKILL the process, abandon an inline agent. */
  kill(): void;
  /**
   * Resolves once the thread or process is gone. A run ends as soon as the agent's host says it is
   * finished (termination is noticed then, not a teardown later); the teardown goes on after it.
   * `undefined` when nothing outlives the run (an inline agent; a pooled host, which the pool owns).
   */
  readonly exited: Promise<void> | undefined;
}

export type RuntimeLauncher = (request: LaunchRequest, handlers: RuntimeHandlers) => AgentRuntime;

// Located by entry/locations.ts, which stays beside the entry files in dist/ too (see there).
export { transportUrl } from '../entry/locations.ts';

export function eventHandles(
  events: Record<RuntimeEventName, SharedEvent>,
  as: 'buffer' | 'value',
): EventHandles {
  const handles = {} as EventHandles;
  for (const [name, event] of Object.entries(events) as [RuntimeEventName, SharedEvent][]) {
    handles[name] = as === 'buffer' ? event.buffer : event.isSet();
  }
  return handles;
}
