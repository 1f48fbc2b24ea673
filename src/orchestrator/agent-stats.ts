/**
 * Per-agent statistics and timestamped history, fed by the orchestrator's own events: one place
 * turns events into counts, run times and history entries, so they can never disagree.
 */
import type { AnyOrchestratorEvent } from '../events/event-map.ts';

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

/** The mutable side of one agent's stats. */
export class StatsRecorder {
  readonly #name: string;
  readonly #limit: number;
  #history: HistoryEntry[] = [];
  #dropped = 0;
  readonly #counts: AgentStats['counts'] = {
    starts: 0,
    restarts: 0,
    completed: 0,
    stopped: 0,
    failed: 0,
    killed: 0,
    skipped: 0,
    errors: 0,
  };
  #runs = 0;
  #last: number | null = null;
  #min: number | null = null;
  #max: number | null = null;
  #total = 0;
  /** A run was launched and has not ended yet. */
  #launched = false;
  /** The last run's start (`Date.now()`), for status. */
  startedAt: number | undefined;
  /** How the last ended run ended, for status. */
  lastExit: { exitCode: number | null; signal: string | null } | undefined;

  constructor(name: string, historySize: number) {
    this.#name = name;
    this.#limit = historySize;
  }

  /** Takes in one of this agent's events. */
  observe(event: AnyOrchestratorEvent): void {
    const { timestamp } = event.payload;
    switch (event.type) {
      case 'agent:registered':
        this.#add('registered', timestamp, event.payload.mode);
        break;
      case 'agent:queued':
        this.#add('queued', timestamp, `position ${event.payload.position}`);
        break;
      case 'agent:state-changed':
        if (event.payload.to === 'starting') this.#launched = true;
        break;
      case 'agent:started':
        this.#counts.starts++;
        this.startedAt = timestamp;
        this.#add('start', timestamp, describeRuntime(event.payload));
        break;
      case 'agent:ready':
        this.#add('ready', timestamp);
        break;
      case 'agent:stopping':
        this.#add('stop', timestamp, event.payload.forced ? 'forced' : 'graceful');
        break;
      case 'agent:restarted':
        this.#counts.restarts++;
        this.#add('restart', timestamp, `restart ${event.payload.restarts}`);
        break;
      case 'agent:error': {
        const { phase, error } = event.payload;
        this.#counts.errors++;
        this.#add('error', timestamp, `${phase}: ${error.name}: ${error.message}`);
        break;
      }
      case 'agent:skipped':
        this.#counts.skipped++;
        this.#add('skipped', timestamp, event.payload.reason);
        break;
      case 'agent:terminated': {
        const { reason, durationMs, exitCode, signal } = event.payload;
        this.#counts[reason]++;
        if (this.#launched) this.#ran(durationMs);
        this.#launched = false;
        this.lastExit = { exitCode, signal };
        this.#add('terminated', timestamp, [reason, exitStatus(exitCode, signal)].filter(Boolean).join(', '));
        // The run's thread, process or inline task is gone: it has been joined.
        this.#add('join', timestamp);
        break;
      }
    }
  }

  snapshot(): AgentStats {
    return {
      name: this.#name,
      counts: { ...this.#counts },
      runTimes: {
        runs: this.#runs,
        lastMs: this.#last,
        minMs: this.#min,
        maxMs: this.#max,
        meanMs: this.#runs > 0 ? this.#total / this.#runs : null,
        totalMs: this.#total,
      },
      history: this.#history.slice(-this.#limit),
      historyDropped: this.#dropped + Math.max(0, this.#history.length - this.#limit),
    };
  }

  #ran(durationMs: number): void {
    this.#runs++;
    this.#last = durationMs;
    this.#total += durationMs;
    this.#min = this.#min === null ? durationMs : Math.min(this.#min, durationMs);
    this.#max = this.#max === null ? durationMs : Math.max(this.#max, durationMs);
  }

  #add(event: HistoryEvent, timestamp: number, detail?: string): void {
    this.#history.push(detail === undefined ? { event, timestamp } : { event, timestamp, detail });
    // Trim in batches: amortised O(1) per entry, never more than twice the limit held.
    if (this.#history.length >= this.#limit * 2) {
      const excess = this.#history.length - this.#limit;
      this.#history = this.#history.slice(excess);
      this.#dropped += excess;
    }
  }
}

function describeRuntime({
  mode,
  pid,
  threadId,
}: {
  mode: string;
  pid: number;
  threadId: number | undefined;
}): string {
  return `${mode}, pid ${pid}${threadId === undefined ? '' : `, thread ${threadId}`}`;
}

export function exitStatus(exitCode: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `signal ${signal}`;
  return exitCode === null || exitCode === undefined ? '' : `exit code ${exitCode}`;
}
