/**
 * A batch: from the first agent that waits or runs until none does. Counts how its agents ended
 * and resolves `join()` when it ends. Driven by the orchestrator's state transitions.
 */
import { type AgentState, type AgentStatus, isTerminal } from './agent-state.ts';

export type BatchCounts = {
  completed: number;
  stopped: number;
  failed: number;
  killed: number;
  skipped: number;
};

export interface BatchHooks {
  /** A batch began. */
  opened(): void;
  /** The batch ended (`ALL_AGENTS_TERMINATED`), with how its agents ended. */
  ended(counts: BatchCounts): void;
}

const noCounts = (): BatchCounts => ({ completed: 0, stopped: 0, failed: 0, killed: 0, skipped: 0 });

export class Batch {
  readonly #hooks: BatchHooks;
  /** Agents that wait or run. */
  #active = 0;
  #open = false;
  #counts = noCounts();
  #waiters: (() => void)[] = [];
  /** While a set of agents is being queued: the batch cannot end half-way through. */
  admitting = false;

  constructor(hooks: BatchHooks) {
    this.#hooks = hooks;
  }

  /** Nothing waits or runs, and no set of agents is being queued. */
  get idle(): boolean {
    return this.#active === 0 && !this.admitting;
  }

  open(): void {
    if (this.#open) return;
    this.#open = true;
    this.#counts = noCounts();
    this.#hooks.opened();
  }

  /**
   * An agent went from `from` to `to`: counts it in or out, and how it ended. `state`: the new
   * state's object, given for a stopped or failed agent (whose reason says whether it was killed).
   */
  transition(from: AgentStatus, to: AgentStatus, state: AgentState | undefined): void {
    const wasActive = !isTerminal(from) && from !== 'registered';
    const isActive = !isTerminal(to);
    if (!wasActive && isActive) this.#active++;
    if (wasActive && !isActive) {
      this.#active--;
      const killed = (state?.status === 'stopped' || state?.status === 'failed') && state.reason === 'killed';
      this.#counts[killed ? 'killed' : (to as keyof BatchCounts)]++;
    }
  }

  end(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#hooks.ended(this.#counts);
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves when the open batch ends; at once when none is open. */
  join(): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
