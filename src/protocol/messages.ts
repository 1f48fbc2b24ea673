/**
 * The one message protocol spoken between the orchestrator and a thread or process
 * agent. Every message has a string `type`. Inline agents use the same lifecycle
 * reports (`ChildMessage`) without the transport.
 */
import type { SerializedError } from '../errors.ts';
import { AGENT_EVENT_KEYS } from '../events/agent-events.ts';
import type { LifecyclePhase } from '../events/event-map.ts';
import type { AgentEventName } from '../events/shared-event.ts';

export type AgentMode = 'inline' | 'thread' | 'process';
export const AGENT_MODES: readonly AgentMode[] = ['inline', 'thread', 'process'];

/** Where a class lives, so that another thread or process can import it. */
export interface ModuleRef {
  moduleUrl: string;
  exportName: string;
}

/** A plugin sent across the boundary: its class, and its own fields (structured-cloned). */
export interface PluginSpec extends ModuleRef {
  fields: Record<string, unknown>;
}

/** Everything a thread or process needs to build and run one agent. */
export interface AgentSpec extends ModuleRef {
  name: string;
  config: Record<string, unknown>;
  plugins: readonly PluginSpec[];
  logLevel: string;
}

/**
 * How the agent's six events reach it: shared memory for threads, the current
 * value for processes (kept in step with `event` messages afterwards).
 */
export type EventHandles = Record<AgentEventName | 'stopRequested', SharedArrayBuffer | boolean>;

export type ParentMessage =
  /** `pooled`: after a successful run, wait for the next `start` instead of exiting (warm reuse). */
  | { type: 'start'; spec: AgentSpec; events: EventHandles; pooled?: boolean }
  /** A process's events kept in step (a stop request is its `stopRequested` event set). */
  | { type: 'event'; name: AgentEventName | 'stopRequested'; value: boolean };

export type LifecycleReport = 'started' | 'ready' | 'running' | 'stopping';

export type ChildMessage =
  | { type: 'lifecycle'; phase: LifecycleReport }
  | { type: 'error'; phase: LifecyclePhase; error: SerializedError }
  | { type: 'done'; outcome: 'completed' | 'stopped' | 'failed'; result: unknown }
  | { type: 'log'; line: string }
  | { type: 'heartbeat'; sequence: number }
  /** Heartbeats sent close together, carried in one message (see HeartbeatBatcher), oldest first. */
  | { type: 'heartbeats'; sequences: number[] }
  /**
   * The run is over: the last message of every run, sent after late failures had their turn. With
   * `exitCode`, the thread or process exits with it now; with `null` (a pooled run that went well)
   * it waits for the next `start`, and `memoryMb` says how much it holds, for the pool's recycling:
   * a thread's heap, a process's RSS. (Not measured for a run that exits: it costs a fresh
   * isolate ~0.1 ms.)
   */
  | { type: 'finished'; exitCode: number; memoryMb?: undefined }
  | { type: 'finished'; exitCode: null; memoryMb: number }
  /** An event of a nested orchestrator this agent runs; `agent` names are relative to it. */
  | { type: 'nested'; event: { type: string; payload: Record<string, unknown> } }
  | { type: 'event'; name: AgentEventName | 'stopRequested'; value: boolean };

const REPORTS: ReadonlySet<unknown> = new Set<LifecycleReport>(['started', 'ready', 'running', 'stopping']);
const PHASES: ReadonlySet<unknown> = new Set<LifecyclePhase>([
  'config',
  'plugins',
  'setup',
  'work',
  'stop',
  'close',
  'unhandled',
  'runtime',
]);
const OUTCOMES: ReadonlySet<unknown> = new Set(['completed', 'stopped', 'failed']);
const EVENT_NAMES: ReadonlySet<unknown> = new Set(AGENT_EVENT_KEYS);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * Whether a message from a thread or process is one of the protocol's, fields and all. The agent's
 * own code shares the channel (a thread's `parentPort`, a process's `process.send`), so anything
 * may arrive on it: what is not a `ChildMessage` is dropped where it comes in, never acted on (a
 * `log` whose line was a number, or a `nested` without its event, threw in the orchestrator).
 */
export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'lifecycle':
      return REPORTS.has(value.phase);
    case 'error':
      return PHASES.has(value.phase) && isSerializedError(value.error);
    case 'done':
      return OUTCOMES.has(value.outcome);
    case 'log':
      return typeof value.line === 'string';
    case 'heartbeat':
      return typeof value.sequence === 'number';
    case 'heartbeats':
      return (
        Array.isArray(value.sequences) && value.sequences.every((sequence) => typeof sequence === 'number')
      );
    case 'finished':
      return value.exitCode === null
        ? typeof value.memoryMb === 'number'
        : Number.isInteger(value.exitCode) && value.memoryMb === undefined;
    case 'nested':
      return isObject(value.event) && typeof value.event.type === 'string' && isObject(value.event.payload);
    case 'event':
      return EVENT_NAMES.has(value.name) && typeof value.value === 'boolean';
    default:
      return false;
  }
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    typeof value.message === 'string' &&
    (value.stack === undefined || typeof value.stack === 'string') &&
    (value.cause === undefined || isSerializedError(value.cause)) &&
    (value.props === undefined || isObject(value.props))
  );
}
