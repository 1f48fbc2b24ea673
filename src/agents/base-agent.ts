import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Logger } from 'pino';
import type { ConfigIssue } from '../errors.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import type { ControlEvents, StateEvents } from '../events/shared-event.ts';
import type { AgentMode } from '../protocol/messages.ts';
import type { AgentPlugin } from './plugin.ts';

export type AgentConfig = Record<string, unknown>;

/** What the runtime hands an agent when it builds it. */
export interface AgentContext<C extends object = AgentConfig> {
  name: string;
  mode: AgentMode;
  config: C;
  /** Its control and state events (each made when first asked for). */
  events: AgentEvents;
  /** Aborts when a stop is requested. */
  signal: AbortSignal;
  plugins: readonly AgentPlugin[];
  /** Builds the agent's logger on first use (pino is loaded lazily to keep worker start-up fast). */
  createLogger: () => Logger;
  /** Reports a heartbeat to the orchestrator. */
  heartbeat: () => void;
  /** Passes an event of a nested orchestrator up to the orchestrator running this agent. */
  forward: (event: { type: string; payload: Record<string, unknown> }) => void;
}

/**
 * The static side of an agent class: what the orchestrator reads before it builds one.
 * `module` makes the class loadable in threads and processes: `static readonly module = import.meta.url`.
 */
export interface AgentClass<A extends BaseAgent = BaseAgent> {
  new (context: AgentContext<never>): A;
  readonly name: string;
  /** URL of the module that exports this class; needed for `thread` and `process` mode. */
  readonly module?: string;
  /** Config defaults; merged with the defaults of every parent class, the subclass winning. */
  readonly defaults?: object;
  /** A Standard Schema (zod, valibot, arktype, ...) the merged config must satisfy. */
  readonly schema?: StandardSchemaV1;
  /** Hand-written validation: return the issues found (none when valid). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a validate() that returns nothing means "valid".
  validate?(config: never): Iterable<ConfigIssue> | undefined | void;
}

/**
 * Base of every agent. Implement `execute`; override `setup`, `onStop` and `onClose` as needed.
 * Lifecycle: started -> setup gate -> plugins init -> setup -> ready -> execute gate -> work -> onClose -> closed.
 */
export abstract class BaseAgent<C extends object = AgentConfig, R = unknown> {
  /** Config defaults for this class; subclasses add to them. */
  static readonly defaults: object = {};

  readonly name: string;
  readonly mode: AgentMode;
  readonly config: Readonly<C>;
  readonly plugins: readonly AgentPlugin[];
  /** What built it: its logger, heartbeats and forwarded events go through it (as method calls). */
  readonly #context: Pick<AgentContext, 'signal' | 'createLogger' | 'heartbeat' | 'forward'>;
  readonly #events: AgentEvents;
  #logger: Logger | undefined;

  constructor(context: AgentContext<C>) {
    this.name = context.name;
    this.mode = context.mode;
    // The config of an agent without a schema or validate() comes frozen from the orchestrator,
    // shared by its runs: nothing to copy. A schema's output, or a thread's or process's clone, is
    // copied and frozen here, as every config was.
    const { config } = context;
    this.config = Object.isFrozen(config) ? config : Object.freeze({ ...config });
    this.#events = context.events;
    this.plugins = context.plugins;
    this.#context = context;
  }

  /** @internal Used by OrchestratorAgent to pass its nested orchestrator's events up. */
  protected forwardEvent(event: { type: string; payload: Record<string, unknown> }): void {
    this.#context.forward(event);
  }

  /**
   * Aborts when a stop is requested: pass it to anything long you await. Read from the agent's
   * context, which makes it when first read (most short agents never read it).
   */
  get signal(): AbortSignal {
    return this.#context.signal;
  }

  /** `setup`, `execute` and `stop`: the gates it waits at, and the stop it can be asked for with. */
  get controlEvents(): ControlEvents {
    return this.#events.control;
  }

  /** `started`, `ready` and `closed`: set as it gets there. */
  get stateEvents(): StateEvents {
    return this.#events.state;
  }

  /**
   * Tells the orchestrator this agent is alive (`AGENT_HEARTBEAT`). The built-in `HeartbeatPlugin`
   * calls it on a timer; an agent can also call it from its work loop to show progress. An agent
   * that has sent one and then stays silent too long is reported unresponsive.
   */
  heartbeat(): void {
    this.#context.heartbeat();
  }

  /** A structured logger whose every line carries the agent's name and mode. */
  get logger(): Logger {
    this.#logger ??= this.#context.createLogger();
    return this.#logger;
  }

  /** True once a stop has been requested. */
  get stopRequested(): boolean {
    return this.signal.aborted;
  }

  /** Runs before the work, after the setup gate opens and plugins are initialised. */
  setup(): void | Promise<void> {}

  /** The work. For a plain BaseAgent, watch `signal` / `stopRequested` to end on a stop. */
  abstract execute(): R | Promise<R>;

  /** A stop was requested. The current iteration still finishes. */
  onStop(): void | Promise<void> {}

  /** Always runs last, also after a failure. */
  onClose(): void | Promise<void> {}

  /** @internal How the lifecycle runs the work; OneShot, Looping and Periodic agents shape it. */
  run(): R | Promise<R> {
    return this.execute();
  }
}
