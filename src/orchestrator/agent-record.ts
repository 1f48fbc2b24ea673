import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import type { SerializedError } from '../errors.ts';
import { type AgentEventKey, AgentEvents, DEFAULT_BITS, type EventBits } from '../events/agent-events.ts';
import type { AgentRuntime } from '../runtime/agent-runtime.ts';
import type { ContextRunner } from '../runtime/inline-guard.ts';
import type { AgentEntry } from './agent-entry.ts';
import { type AgentState, type AgentStatus, isTerminal } from './agent-state.ts';
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
  /**
   * Its control and state events, and the orchestrator's private stop request (`stopRequested`):
   * made when first needed (`recordEvents`), with those given at registration. Until then they are
   * as a new agent's are: the given ones as given, the others' gates open and nothing else set.
   * Between runs, while they are nothing but values, their bits (`settleEvents`).
   */
  events: AgentEvents | EventBits | undefined;
  priority: number;
  sequence: number;
  /** Merged defaults + overrides; replaced by the validated config at start. */
  config: AgentConfig;
  /** Its status now: with `since`, the one source of truth of its state (`stateOf`). */
  status: AgentStatus;
  /** When it got to `status` (ms since the epoch). */
  since: number;
  /**
   * Its state as an object (`stateOf`): given at the transition to a status with data of its own
   * (stopping, stopped, failed, skipped), made when first read for the others. The states a run
   * passes through on its way (waiting, starting, ready, running, completed) were five objects
   * and five heap numbers a run, and most are never read.
   */
  state: AgentState | undefined;
  runtime: AgentRuntime | undefined;
  result: unknown;
  lastError: SerializedError | undefined;
  restarts: number;
  /** Its public face, set once registered (the entry refers back to this record). */
  entry: AgentEntry | undefined;
  /** The furthest milestone of the current (or last) run, for dependents' conditions. */
  reached: DependencyCondition | undefined;
  /** While waiting: the dependencies whose condition is not met yet. */
  unmet: Map<string, DependencyCondition> | undefined;
  /** Between the stop and the relaunch of a restart: dependents keep waiting. */
  restarting: boolean;
  /** Its index in the orchestrator's stats table (counts, run times and history, fed by its events). */
  readonly index: number;
  /** Supervision: the restart policy and its bookkeeping (shared by the agents never restarted). */
  readonly supervision: RestartTracker;
  /**
   * The async context its next run starts in (inline agents see it): the one `start()` or
   * `restart()` was called in. Taken at launch, so a record does not keep a caller's context alive.
   */
  startIn: ContextRunner | undefined;
  /** What only some agents or runs need (`extrasOf`): none until then. */
  extras: AgentRecordExtras | undefined;
}

/**
 * A record's fields that most agents never set: made at the first one set (`extrasOf`). Five fields
 * kept on every record were 40 bytes of each registered agent (this Node build has no pointer
 * compression: a field is 8 bytes), and what an agent keeps costs run time (bench/README.md, (c)).
 */
export interface AgentRecordExtras {
  /** What `whenEnded` handed out for the current run: made only when someone waits for its end. */
  endWait: { promise: Promise<void>; resolve: () => void } | undefined;
  /** A graceful stop's deadline, after which it is forced. */
  stopTimer: NodeJS.Timeout | undefined;
  /** Why the orchestrator forced this run's end as a failure (an unresponsive agent), if it did. */
  killReason: Error | undefined;
  /** For an OrchestratorAgent: its nested agents' status, from the events it passes up. */
  nested: NestedStatus | undefined;
  /** A restart by policy waiting out its backoff: when it fires, and how to cancel it. */
  pendingRestart: { at: number; cancel(): void } | undefined;
  /**
   * For an agent with a config schema, once validated: the config given (class defaults merged with
   * the registration's overrides). `config` is then the schema's output; a restart validates this again.
   */
  givenConfig: AgentConfig | undefined;
}

/** `record`'s extras, made now if it had none. */
export function extrasOf(record: AgentRecord): AgentRecordExtras {
  record.extras ??= {
    endWait: undefined,
    stopTimer: undefined,
    killReason: undefined,
    nested: undefined,
    pendingRestart: undefined,
    givenConfig: undefined,
  };
  return record.extras;
}

/**
 * The agent's events, made now if they were not: a registered agent that never ran keeps none, and
 * one whose run ended with its events nothing but bits keeps the bits (`settleEvents`).
 */
export function recordEvents(record: AgentRecord): AgentEvents {
  const { events } = record;
  if (typeof events === 'object') return events;
  const { controlEvents, stateEvents } = record.registration;
  const made = new AgentEvents(controlEvents, stateEvents, events);
  record.events = made;
  return made;
}

/** Whether the agent's `key` event is set, without making its events. */
export function eventIsSet(record: AgentRecord, key: AgentEventKey): boolean {
  const { events = DEFAULT_BITS } = record;
  return typeof events === 'number' ? AgentEvents.isSetIn(events, key) : events.isSet(key);
}

/**
 * A run ended: the agent keeps its events' bits instead of their object when the bits are all
 * they are (none made, none watched). An object per agent (~70 bytes), kept by each of 100,000
 * agents after its run, cost run time as the collector walked it (bench/README.md, (c)).
 */
export function settleEvents(record: AgentRecord): void {
  const { events } = record;
  if (typeof events !== 'object') return;
  const bits = events.bits;
  if (bits !== undefined) record.events = bits;
}

/** A new run: its states and stop request cleared (`AgentEvents.resetRun`). */
export function resetRunEvents(record: AgentRecord): void {
  const { events } = record;
  if (typeof events === 'number') record.events = AgentEvents.resetBits(events);
  else events?.resetRun();
}

/** `record`'s state now: the object given at its last transition, or one made now (and kept) from its status. */
export function stateOf(record: AgentRecord): AgentState {
  record.state ??=
    record.status === 'completed'
      ? { status: 'completed', since: record.since, result: record.result }
      : ({ status: record.status, since: record.since } as AgentState);
  return record.state;
}

const NO_RUN = Promise.resolve();

/**
 * Resolves when the current run has ended: at once when none is on (never started, or ended).
 * The promise is made for whoever asks, not for every run: most agents of a batch are never
 * joined one by one, and a promise, its resolver and their context kept per agent cost ~180 bytes.
 */
export function whenEnded(record: AgentRecord): Promise<void> {
  const waiting = record.extras?.endWait;
  if (waiting) return waiting.promise;
  const { status } = record;
  if (status === 'registered' || isTerminal(status)) return NO_RUN;
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  extrasOf(record).endWait = { promise, resolve };
  return promise;
}

/** The current run has ended (its terminal state is recorded): whoever waits for it goes on. */
export function runEnded(record: AgentRecord): void {
  const extras = record.extras;
  const wait = extras?.endWait;
  if (!wait) return;
  extras!.endWait = undefined;
  wait.resolve();
}
