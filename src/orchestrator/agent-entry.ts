import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import type { SerializedError } from '../errors.ts';
import type { ControlEvents, StateEvents } from '../events/shared-event.ts';
import type { AgentMode } from '../protocol/messages.ts';
import { type AgentRecord, recordEvents, stateOf, whenEnded } from './agent-record.ts';
import type { AgentState, AgentStatus } from './agent-state.ts';
import type { Dependency } from './dependency-graph.ts';
import type { AgentOptions } from './registration.ts';

/** What a waiting agent waits for: dependencies whose condition does not hold yet, or a free slot. */
export type WaitingFor =
  | { reason: 'dependencies'; dependencies: Dependency[] }
  | { reason: 'slot' }
  | { reason: 'backoff'; until: number };

/** What an entry asks of its orchestrator. */
export interface EntryController {
  startAgent(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  kill(name: string): Promise<void>;
  dependenciesOf(name: string): Dependency[];
}

/**
 * A registered agent: its class, config, plugins, events and options, its current runtime,
 * state and result, and the controls to start, stop, restart and join it.
 */
export class AgentEntry<R = unknown> {
  readonly #record: AgentRecord;
  readonly #controller: EntryController;
  readonly #options: Readonly<AgentOptions>;

  /** @internal Created by `Orchestrator.registerAgent`. */
  constructor(record: AgentRecord, controller: EntryController, options: AgentOptions) {
    this.#record = record;
    this.#controller = controller;
    this.#options = Object.freeze({ ...options });
  }

  get name(): string {
    return this.#record.name;
  }

  get AgentClass(): AgentClass {
    return this.#record.AgentClass;
  }

  get mode(): AgentMode {
    return this.#record.registration.mode;
  }

  /** The options given at registration. */
  get options(): Readonly<AgentOptions> {
    return this.#options;
  }

  /** Class defaults merged with the registration's overrides (after start: the validated config). */
  get config(): Readonly<AgentConfig> {
    return this.#record.config;
  }

  get plugins(): readonly AgentPlugin[] {
    return this.#record.registration.plugins;
  }

  get controlEvents(): ControlEvents {
    return recordEvents(this.#record).control;
  }

  get stateEvents(): StateEvents {
    return recordEvents(this.#record).state;
  }

  get state(): AgentState {
    return stateOf(this.#record);
  }

  get status(): AgentStatus {
    return this.#record.status;
  }

  /** The value a completed one-shot agent returned. */
  get result(): R | undefined {
    return this.#record.result as R | undefined;
  }

  /** The most recent error reported by or about this agent. */
  get lastError(): SerializedError | undefined {
    return this.#record.lastError;
  }

  /** The agents this one depends on, with their conditions (declared at registration or since). */
  get dependsOn(): Dependency[] {
    return this.#controller.dependenciesOf(this.name);
  }

  /** While `waiting`: a restart backoff, the unmet dependencies, or a slot under `maxWorkers`. */
  get waitingFor(): WaitingFor | undefined {
    if (this.#record.status !== 'waiting') return undefined;
    const pending = this.#record.extras?.pendingRestart;
    if (pending) return { reason: 'backoff', until: pending.at };
    const unmet = this.#record.unmet;
    if (!unmet) return { reason: 'slot' };
    return {
      reason: 'dependencies',
      dependencies: [...unmet].map(([agent, condition]) => ({ agent, condition })),
    };
  }

  get restarts(): number {
    return this.#record.restarts;
  }

  /** The running thread, process or inline run: pid and thread id. */
  get runtime(): { mode: AgentMode; pid: number; threadId: number | undefined } | undefined {
    const runtime = this.#record.runtime;
    return runtime && { mode: runtime.mode, pid: runtime.pid, threadId: runtime.threadId };
  }

  /** Validates the config and queues this agent (it starts when a slot is free). */
  start(): Promise<void> {
    return this.#controller.startAgent(this.name);
  }

  /** Graceful stop, forced after the orchestrator's `stopTimeout`. Resolves once it has ended. */
  stop(): Promise<void> {
    return this.#controller.stop(this.name);
  }

  /** Forced stop now: worker terminate, SIGTERM then SIGKILL, or abandon an inline agent. */
  kill(): Promise<void> {
    return this.#controller.kill(this.name);
  }

  /** Stop, join, then relaunch a fresh instance; counted in `restarts`. */
  restart(): Promise<void> {
    return this.#controller.restart(this.name);
  }

  /** Resolves with the final state once the current run has ended (at once if it is not running). */
  async join(): Promise<AgentState> {
    await whenEnded(this.#record);
    return stateOf(this.#record);
  }
}
