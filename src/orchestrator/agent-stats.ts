/**
 * Per-agent statistics and timestamped history, fed by the orchestrator's own events: one place
 * turns events into counts, run times and history entries, so they can never disagree.
 */
import type { OrchestratorEventMap, TerminationReason } from '../events/event-map.ts';
import { grown } from '../grown.ts';
import {
  type CompactEventName,
  compactCode,
  compactFormOf,
  NOT_COMPACT,
} from '../history/compact-payload.ts';
import { StepLog } from '../history/step-log.ts';
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

/** The steps in the order of their codes in the step log. */
const STEPS = Object.keys(DETAILS) as HistoryEvent[];
const STEP = Object.fromEntries(STEPS.map((step, code) => [step, code])) as { [E in HistoryEvent]: number };
const COUNTERS = Object.keys(NO_COUNTS) as (keyof AgentStats['counts'])[];
/** The counters an ended run counts under: its reason. */
const END_REASONS: readonly TerminationReason[] = ['completed', 'stopped', 'failed', 'killed'];
const COUNTER = Object.fromEntries(COUNTERS.map((counter, at) => [counter, at])) as {
  [C in keyof AgentStats['counts']]: number;
};

/**
 * Every agent's stats, fed by its events: one table per orchestrator, one index per agent. Counts,
 * run times and the last start and exit are typed columns, the history one shared step log
 * (history/step-log.ts): a run adds no object to any agent, where one kept per agent grew with each
 * run, and the garbage collector copied and marked that again and again.
 */
export class AgentStatsTable {
  readonly #log: StepLog;
  /** By agent, `COUNTERS.length` slots each. */
  #counts: Int32Array;
  /** By agent: ended runs, and their last, shortest, longest and total duration (NaN: none yet). */
  #runs: Int32Array;
  #last: Float64Array;
  #min: Float64Array;
  #max: Float64Array;
  #total: Float64Array;
  /** By agent: 1 while a run is launched and has not ended. */
  #launched: Uint8Array;
  /** By agent: its last run's start (`Date.now()`; NaN: none yet). */
  #startedAt: Float64Array;
  /** By agent: its last ended run's exit code (NaN: null); a signal, when it had one. */
  #exitCodes: Float64Array;
  readonly #signals = new Map<number, string>();

  constructor(historySize: number) {
    this.#log = new StepLog(historySize);
    this.#counts = new Int32Array(64 * COUNTERS.length);
    this.#runs = new Int32Array(64);
    this.#last = new Float64Array(64);
    this.#min = new Float64Array(64);
    this.#max = new Float64Array(64);
    this.#total = new Float64Array(64);
    this.#launched = new Uint8Array(64);
    this.#startedAt = new Float64Array(64);
    this.#exitCodes = new Float64Array(64);
  }

  /** A new agent's index (from 0 up): its stats are all zero, its history empty. */
  add(): number {
    const agent = this.#log.addAgent();
    if (agent === this.#runs.length) {
      const length = agent * 2;
      this.#counts = grown(this.#counts, length * COUNTERS.length);
      this.#runs = grown(this.#runs, length);
      this.#last = grown(this.#last, length);
      this.#min = grown(this.#min, length);
      this.#max = grown(this.#max, length);
      this.#total = grown(this.#total, length);
      this.#launched = grown(this.#launched, length);
      this.#startedAt = grown(this.#startedAt, length);
      this.#exitCodes = grown(this.#exitCodes, length);
    }
    this.#last[agent] = Number.NaN;
    this.#min[agent] = Number.NaN;
    this.#max[agent] = Number.NaN;
    this.#startedAt[agent] = Number.NaN;
    return agent;
  }

  /**
   * Takes in one of `agent`'s events, as its type and payload: an `{ type, payload }` made for
   * this call cost 32 bytes for each of the ten or so events of every run. A payload the history
   * would keep as columns is taken in as its code, by `observeCompact`, the one place for those.
   */
  observe<K extends keyof OrchestratorEventMap>(
    agent: number,
    type: K,
    payload: OrchestratorEventMap[K],
  ): void {
    const { timestamp } = payload as { timestamp: number };
    const code = compactFormOf(type)?.encode(payload) ?? NOT_COMPACT;
    if (code !== NOT_COMPACT) {
      this.observeCompact(agent, type as CompactEventName, timestamp, code);
      return;
    }
    switch (type) {
      case 'agent:started': {
        const { mode, pid, threadId } = payload as Payload<'agent:started'>;
        this.#started(agent, timestamp, describeRuntime(mode, pid, threadId));
        break;
      }
      case 'agent:stopping':
        this.#log.append(agent, STEP.stop, timestamp, (payload as Payload<'agent:stopping'>).forced);
        break;
      case 'agent:restarted':
        this.#count(agent, COUNTER.restarts);
        this.#log.append(agent, STEP.restart, timestamp, (payload as Payload<'agent:restarted'>).restarts);
        break;
      case 'agent:error':
        this.#count(agent, COUNTER.errors);
        this.#log.append(agent, STEP.error, timestamp, payload);
        break;
      case 'agent:skipped':
        this.#count(agent, COUNTER.skipped);
        this.#log.append(agent, STEP.skipped, timestamp, (payload as Payload<'agent:skipped'>).reason);
        break;
      case 'agent:terminated': {
        const { reason, durationMs, exitCode, signal } = payload as Payload<'agent:terminated'>;
        this.#count(agent, COUNTER[reason]);
        if (this.#launched[agent] === 1) this.#ran(agent, durationMs);
        this.#launched[agent] = 0;
        this.#exitCodes[agent] = exitCode ?? Number.NaN;
        if (signal === null) this.#signals.delete(agent);
        else this.#signals.set(agent, signal);
        this.#log.append(agent, STEP.terminated, timestamp, terminationDetail(reason, exitCode, signal));
        // The run's thread, process or inline task is gone: it has been joined.
        this.#log.append(agent, STEP.join, timestamp, undefined);
        break;
      }
    }
  }

  /** Takes in one of `agent`'s small events as the history keeps it (compact-payload.ts): no payload. */
  observeCompact(agent: number, type: CompactEventName, timestamp: number, code: number): void {
    switch (type) {
      case 'agent:registered':
        this.#log.append(agent, STEP.registered, timestamp, AGENT_MODES[code]);
        break;
      case 'agent:queued':
        this.#log.append(agent, STEP.queued, timestamp, code);
        break;
      case 'agent:state-changed':
        if (compactCode.to(code) === 'starting') this.#launched[agent] = 1;
        break;
      case 'agent:started':
        this.#started(agent, timestamp, describeRuntime(AGENT_MODES[code]!, process.pid, undefined));
        break;
      case 'agent:ready':
        this.#log.append(agent, STEP.ready, timestamp, undefined);
        break;
      case 'agent:running':
        break;
    }
  }

  /** `agent`'s last run's start (`Date.now()`), for status; `undefined` before its first. */
  startedAt(agent: number): number | undefined {
    const at = this.#startedAt[agent]!;
    return Number.isNaN(at) ? undefined : at;
  }

  /** How `agent`'s last ended run ended, for status; `undefined` until one has. */
  lastExit(agent: number): { exitCode: number | null; signal: string | null } | undefined {
    if (!this.#hasEnded(agent)) return undefined;
    const exitCode = this.#exitCodes[agent]!;
    return { exitCode: Number.isNaN(exitCode) ? null : exitCode, signal: this.#signals.get(agent) ?? null };
  }

  snapshot(agent: number, name: string): AgentStats {
    const counts = { ...NO_COUNTS };
    const first = agent * COUNTERS.length;
    for (const [at, counter] of COUNTERS.entries()) counts[counter] = this.#counts[first + at]!;
    const runs = this.#runs[agent]!;
    const total = this.#total[agent]!;
    const history: HistoryEntry[] = [];
    this.#log.forEach(agent, (code, timestamp, source) => {
      const event = STEPS[code]!;
      const detail = DETAILS[event](source as never);
      history.push(detail === undefined ? { event, timestamp } : { event, timestamp, detail });
    });
    return {
      name,
      counts,
      runTimes: {
        runs,
        lastMs: orNull(this.#last[agent]!),
        minMs: orNull(this.#min[agent]!),
        maxMs: orNull(this.#max[agent]!),
        meanMs: runs > 0 ? total / runs : null,
        totalMs: total,
      },
      history,
      historyDropped: this.#log.count(agent) - history.length,
    };
  }

  #started(agent: number, timestamp: number, runtime: string): void {
    this.#count(agent, COUNTER.starts);
    this.#startedAt[agent] = timestamp;
    this.#log.append(agent, STEP.start, timestamp, runtime);
  }

  #ran(agent: number, durationMs: number): void {
    this.#runs[agent]!++;
    this.#last[agent] = durationMs;
    this.#total[agent]! += durationMs;
    const min = this.#min[agent]!;
    const max = this.#max[agent]!;
    // NaN until the first run: any comparison with it is false.
    if (!(durationMs >= min)) this.#min[agent] = durationMs;
    if (!(durationMs <= max)) this.#max[agent] = durationMs;
  }

  /** Whether a run of `agent` has ended: each end counts under its reason. */
  #hasEnded(agent: number): boolean {
    const first = agent * COUNTERS.length;
    for (const reason of END_REASONS) if (this.#counts[first + COUNTER[reason]]! > 0) return true;
    return false;
  }

  /** `counter`: its index in `COUNTERS`. */
  #count(agent: number, counter: number): void {
    this.#counts[agent * COUNTERS.length + counter]!++;
  }
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

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
