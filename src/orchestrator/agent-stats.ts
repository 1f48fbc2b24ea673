/**
 * Per-agent statistics and timestamped history, fed by the orchestrator's own events: one place
 * turns events into counts, run times and history entries, so they can never disagree.
 */
import type { OrchestratorEventMap } from '../events/event-map.ts';
import {
  type CompactEventName,
  compactCode,
  compactFormOf,
  NOT_COMPACT,
} from '../history/compact-payload.ts';
import { AGENT_MODES } from '../protocol/messages.ts';

type Payload<K extends keyof OrchestratorEventMap> = OrchestratorEventMap[K];

/** One step of an agent's history. */
export type HistoryEvent =
  | 'registered'
  | 'queued'
  | 'start'
  | 'ready'
  | 'stop'
  | 'join'
  | 'restart'
  | 'error'
  | 'terminated'
  | 'skipped';

export interface HistoryEntry {
  event: HistoryEvent;
  /** `Date.now()` when it happened. */
  timestamp: number;
  /** What fits the step: the termination reason, the error, the skip reason... */
  detail?: string;
}

export interface AgentStats {
  name: string;
  counts: {
    starts: number;
    restarts: number;
    completed: number;
    stopped: number;
    failed: number;
    killed: number;
    skipped: number;
    errors: number;
  };
  /** Durations of ended runs, ms (launch to end); `null` until a run has ended. */
  runTimes: {
    runs: number;
    lastMs: number | null;
    minMs: number | null;
    maxMs: number | null;
    meanMs: number | null;
    totalMs: number;
  };
  /** Oldest first; at most `historySize` entries (the oldest are dropped first). */
  history: HistoryEntry[];
  /** Entries dropped to keep the history within `historySize`. */
  historyDropped: number;
}

/**
 * How each step's detail is written, from the little it keeps of its event (a number, a flag, the
 * error...): formatted when a snapshot is taken, not for every event. Never a whole payload: a
 * step must not hold on to an agent's result.
 */
const DETAILS: { [E in HistoryEvent]: (source: never) => string | undefined } = {
  registered: (mode: string) => mode,
  queued: (position: number) => `position ${position}`,
  start: (runtime: string) => runtime,
  ready: () => undefined,
  stop: (forced: boolean) => (forced ? 'forced' : 'graceful'),
  restart: (restarts: number) => `restart ${restarts}`,
  error: ({ phase, error }: { phase: string; error: { name: string; message: string } }) =>
    `${phase}: ${error.name}: ${error.message}`,
  skipped: (reason: string) => reason,
  terminated: (detail: string) => detail,
  join: () => undefined,
};

/** The mutable side of one agent's stats. */
export class StatsRecorder {
  readonly #name: string;
  readonly #limit: number;
  /**
   * The history, three slots a step (no object per step): the step, its time, what its detail is
   * written from. Its first step makes it as a literal of exactly those three slots: an empty
   * array's first push reserves 16, and a run's six steps then grew it to 40 (~0.2 KB unused).
   */
  #steps: unknown[] = NO_STEPS;
  #dropped = 0;
  /** Made at the first count: an agent registered and never run has none (~90 bytes). */
  #counts: AgentStats['counts'] | undefined;
  #runs = 0;
  #last: number | null = null;
  #min: number | null = null;
  #max: number | null = null;
  #total = 0;
  /** A run was launched and has not ended yet. */
  #launched = false;
  /** The last run's start (`Date.now()`), for status. */
  startedAt: number | undefined;
  /** The last ended run's exit code (`undefined` until a run ended) and signal: two fields, no object kept per agent. */
  #exitCode: number | null | undefined = undefined;
  #signal: string | null = null;

  constructor(name: string, historySize: number) {
    this.#name = name;
    this.#limit = historySize;
  }

  /**
   * Takes in one of this agent's events, as its type and payload: an `{ type, payload }` made for
   * this call cost 32 bytes for each of the ten or so events of every run. A payload the history
   * would keep as columns is taken in as its code, by `observeCompact`, the one place for those.
   */
  observe<K extends keyof OrchestratorEventMap>(type: K, payload: OrchestratorEventMap[K]): void {
    const { timestamp } = payload as { timestamp: number };
    const code = compactFormOf(type)?.encode(payload) ?? NOT_COMPACT;
    if (code !== NOT_COMPACT) {
      this.observeCompact(type as CompactEventName, timestamp, code);
      return;
    }
    switch (type) {
      case 'agent:started': {
        const { mode, pid, threadId } = payload as Payload<'agent:started'>;
        this.#started(timestamp, describeRuntime(mode, pid, threadId));
        break;
      }
      case 'agent:stopping':
        this.#add('stop', timestamp, (payload as Payload<'agent:stopping'>).forced);
        break;
      case 'agent:restarted':
        this.#count('restarts');
        this.#add('restart', timestamp, (payload as Payload<'agent:restarted'>).restarts);
        break;
      case 'agent:error':
        this.#count('errors');
        this.#add('error', timestamp, payload);
        break;
      case 'agent:skipped':
        this.#count('skipped');
        this.#add('skipped', timestamp, (payload as Payload<'agent:skipped'>).reason);
        break;
      case 'agent:terminated': {
        const { reason, durationMs, exitCode, signal } = payload as Payload<'agent:terminated'>;
        this.#count(reason);
        if (this.#launched) this.#ran(durationMs);
        this.#launched = false;
        this.#exitCode = exitCode;
        this.#signal = signal;
        this.#add('terminated', timestamp, terminationDetail(reason, exitCode, signal));
        // The run's thread, process or inline task is gone: it has been joined.
        this.#add('join', timestamp, undefined);
        break;
      }
    }
  }

  /** Takes in one of this agent's small events as the history keeps it (compact-payload.ts): no payload. */
  observeCompact(type: CompactEventName, timestamp: number, code: number): void {
    switch (type) {
      case 'agent:registered':
        this.#add('registered', timestamp, AGENT_MODES[code]);
        break;
      case 'agent:queued':
        this.#add('queued', timestamp, code);
        break;
      case 'agent:state-changed':
        if (compactCode.to(code) === 'starting') this.#launched = true;
        break;
      case 'agent:started':
        this.#started(timestamp, describeRuntime(AGENT_MODES[code]!, process.pid, undefined));
        break;
      case 'agent:ready':
        this.#add('ready', timestamp, undefined);
        break;
      case 'agent:running':
        break;
    }
  }

  /** How the last ended run ended, for status. */
  get lastExit(): { exitCode: number | null; signal: string | null } | undefined {
    return this.#exitCode === undefined ? undefined : { exitCode: this.#exitCode, signal: this.#signal };
  }

  snapshot(): AgentStats {
    return {
      name: this.#name,
      counts: { ...NO_COUNTS, ...this.#counts },
      runTimes: {
        runs: this.#runs,
        lastMs: this.#last,
        minMs: this.#min,
        maxMs: this.#max,
        meanMs: this.#runs > 0 ? this.#total / this.#runs : null,
        totalMs: this.#total,
      },
      history: this.#entries(),
      historyDropped: this.#dropped + Math.max(0, this.#steps.length / SLOTS - this.#limit),
    };
  }

  #started(timestamp: number, runtime: string): void {
    this.#count('starts');
    this.startedAt = timestamp;
    this.#add('start', timestamp, runtime);
  }

  #ran(durationMs: number): void {
    this.#runs++;
    this.#last = durationMs;
    this.#total += durationMs;
    this.#min = this.#min === null ? durationMs : Math.min(this.#min, durationMs);
    this.#max = this.#max === null ? durationMs : Math.max(this.#max, durationMs);
  }

  #count(counter: keyof AgentStats['counts']): void {
    this.#counts ??= { ...NO_COUNTS };
    this.#counts[counter]++;
  }

  #add(step: HistoryEvent, timestamp: number, source: unknown): void {
    if (this.#steps.length === 0) this.#steps = [step, timestamp - EPOCH, source];
    else this.#steps.push(step, timestamp - EPOCH, source);
    // Trim in batches: amortised O(1) per entry, never more than twice the limit held.
    if (this.#steps.length >= this.#limit * 2 * SLOTS) {
      const excess = this.#steps.length / SLOTS - this.#limit;
      this.#steps = this.#steps.slice(excess * SLOTS);
      this.#dropped += excess;
    }
  }

  /** The newest `historySize` steps as entries, oldest first. */
  #entries(): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    const steps = this.#steps;
    for (let index = Math.max(0, steps.length - this.#limit * SLOTS); index < steps.length; index += SLOTS) {
      const event = steps[index] as HistoryEvent;
      const timestamp = (steps[index + 1] as number) + EPOCH;
      const detail = DETAILS[event](steps[index + 2] as never);
      entries.push(detail === undefined ? { event, timestamp } : { event, timestamp, detail });
    }
    return entries;
  }
}

const SLOTS = 3;
const NO_STEPS: unknown[] = Object.freeze([]) as unknown as unknown[];
const NO_COUNTS: Readonly<AgentStats['counts']> = Object.freeze({
  starts: 0,
  restarts: 0,
  completed: 0,
  stopped: 0,
  failed: 0,
  killed: 0,
  skipped: 0,
  errors: 0,
});

/**
 * Steps keep their time as ms since this module loaded: a small integer that an array holds as it
 * is, where a `Date.now()` (past 2^31) would be boxed, one heap object per step kept (until 12 days
 * in, after which they are boxed again; exact either way).
 */
const EPOCH = Date.now();

/** `completed, exit code 0`: one string per kind of end, not one per agent for the usual ones. */
const CLEAN_EXITS = new Map<string, string>();

function terminationDetail(reason: string, exitCode: number | null, signal: string | null): string {
  if (exitCode === 0 && signal === null) {
    const known = CLEAN_EXITS.get(reason);
    if (known) return known;
    const detail = `${reason}, ${exitStatus(0, null)}`;
    CLEAN_EXITS.set(reason, detail);
    return detail;
  }
  const status = exitStatus(exitCode, signal);
  return status ? `${reason}, ${status}` : reason;
}

/** The last runtime described, and how: every inline agent of a host is `inline, pid N`, one string. */
let described: { mode: string; pid: number; threadId: number | undefined; text: string } | undefined;

function describeRuntime(mode: string, pid: number, threadId: number | undefined): string {
  if (described?.mode !== mode || described.pid !== pid || described.threadId !== threadId) {
    described = {
      mode,
      pid,
      threadId,
      text: `${mode}, pid ${pid}${threadId === undefined ? '' : `, thread ${threadId}`}`,
    };
  }
  return described.text;
}

export function exitStatus(exitCode: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `signal ${signal}`;
  return exitCode === null || exitCode === undefined ? '' : `exit code ${exitCode}`;
}
