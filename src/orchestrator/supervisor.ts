/**
 * Restarts by policy: whether an agent that ended by itself is restarted and after what backoff,
 * the restart's timer, rest-for-one restarts of its dependents, and what is done about an agent
 * that went silent.
 */
import { AgentUnresponsiveError } from '../errors.ts';
import type { OrchestratorEventMap } from '../events/event-map.ts';
import { type AgentRecord, eventIsSet, extrasOf, stateOf } from './agent-record.ts';
import { isLive } from './agent-state.ts';

export interface SupervisorContext {
  /** The orchestrator is not shutting down. */
  isOpen(): boolean;
  emit<K extends keyof OrchestratorEventMap>(event: K, payload: OrchestratorEventMap[K]): void;
  /** A new run of `record` begins: it waits. */
  prepareRun(record: AgentRecord): void;
  /** The waiting run is a restart: counted and told. */
  countRestart(record: AgentRecord, automatic: boolean, delayMs: number): void;
  /** The waiting run goes on to its dependencies and a slot. */
  admitWaiting(record: AgentRecord): void;
  /** The live agents that depend on `record`, directly or not. */
  liveDependents(record: AgentRecord): string[];
  /** A restart by hand (stop, then a fresh run). */
  restart(name: string): Promise<void>;
  logError(error: unknown, agent: string, message: string): void;
}

export class Supervisor {
  readonly #context: SupervisorContext;

  constructor(context: SupervisorContext) {
    this.#context = context;
  }

  /**
   * The agent's run ended by itself (no stop was asked for) after `uptimeMs`: the delay before its
   * policy restarts it, or undefined. When the policy's limit is reached, says so and leaves the
   * agent as it ended.
   */
  restartDelay(record: AgentRecord, uptimeMs: number): number | undefined {
    if (!this.#context.isOpen() || eventIsSet(record, 'stopRequested')) return undefined;
    const { status } = record;
    if (status !== 'completed' && status !== 'failed') return undefined;
    // A completed state is not made for this: a failed one was given at its transition.
    const state = status === 'failed' ? stateOf(record) : undefined;
    const reason = state?.status === 'failed' ? state.reason : 'completed';
    const decision = record.supervision.decide(reason, uptimeMs);
    if (decision !== 'limit') return decision;
    const { maxRestarts, withinMs } = record.supervision.policy;
    this.#context.emit('agent:restart-limit', {
      agent: record.name,
      timestamp: Date.now(),
      restarts: record.restarts,
      maxRestarts,
      withinMs,
    });
    return undefined;
  }

  /** Restart by policy: the agent waits out its backoff, then starts afresh (and, if asked, its dependents too). */
  schedule(record: AgentRecord, delayMs: number): void {
    const context = this.#context;
    context.prepareRun(record);
    const fire = () => {
      extrasOf(record).pendingRestart = undefined;
      record.restarting = false;
      if (record.status !== 'waiting' || !context.isOpen()) return;
      context.countRestart(record, true, delayMs);
      if (record.supervision.policy.restartDependents) this.#restartDependents(record);
      context.admitWaiting(record);
    };
    // A pending restart is work to come: its timer keeps the process up, like a running agent.
    if (delayMs === 0) {
      const immediate = setImmediate(fire);
      extrasOf(record).pendingRestart = { at: Date.now(), cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(fire, delayMs);
      extrasOf(record).pendingRestart = { at: Date.now() + delayMs, cancel: () => clearTimeout(timer) };
    }
  }

  /** A stop: the restart waiting out its backoff does not happen. */
  cancel(record: AgentRecord): void {
    const extras = record.extras;
    extras?.pendingRestart?.cancel();
    if (extras) extras.pendingRestart = undefined;
    record.restarting = false;
  }

  /**
   * An agent went silent. Said once; and when its policy restarts failed agents, the run is killed
   * as a failure (`AgentUnresponsiveError`), so that the policy restarts it.
   */
  unresponsive(record: AgentRecord, silentMs: number, lastSequence: number): void {
    this.#context.emit('agent:unresponsive', {
      agent: record.name,
      timestamp: Date.now(),
      silentMs,
      lastSequence,
    });
    if (record.supervision.policy.when === 'never' || !record.runtime || !isLive(record.status)) return;
    if (eventIsSet(record, 'stopRequested')) return;
    extrasOf(record).killReason = new AgentUnresponsiveError(record.name, silentMs);
    record.runtime.kill();
  }

  /** Rest-for-one: every live agent that depends on `record`, directly or not, restarts too. */
  #restartDependents(record: AgentRecord): void {
    for (const dependent of this.#context.liveDependents(record)) {
      this.#context
        .restart(dependent)
        .catch((error: unknown) =>
          this.#context.logError(error, dependent, 'Restarting a dependent failed.'),
        );
    }
  }
}
