import type { AgentClass, BaseAgent } from '../agents/base-agent.ts';
import { NO_ISSUES, resolveConfig, validateConfig, validatesConfig } from '../config/agent-config.ts';
import {
  ConfigError,
  type ConfigIssue,
  describeValue,
  InvalidOptionError,
  OrchestratorError,
} from '../errors.ts';
import {
  type AnyOrchestratorEvent,
  isOrchestratorEventName,
  OrchestratorEvent,
  type OrchestratorEventMap,
} from '../events/event-map.ts';
import { type CompactEventName, compactCode } from '../history/compact-payload.ts';
import { EVENT_LIST, type EventQuery, type StoredEvent } from '../history/event-query.ts';
import { SqliteHistory } from '../history/sqlite-history.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { captureContext } from '../runtime/inline-guard.ts';
import { WarmPool } from '../runtime/warm-pool.ts';
import { AgentEntry, type EntryController } from './agent-entry.ts';
import {
  type AgentRecord,
  extrasOf,
  recordEvents,
  resetRunEvents,
  runEnded,
  whenEnded,
} from './agent-record.ts';
import { launchRun, type RunContext } from './agent-run.ts';
import { type AgentState, type AgentStatus, assertTransition, isLive, isTerminal } from './agent-state.ts';
import type { AgentStats } from './agent-stats.ts';
import { Batch } from './batch.ts';
import { DependencyGraph } from './dependency-graph.ts';
import { admit, progress } from './dependency-waits.ts';
import { EventHub } from './event-hub.ts';
import { Groups } from './groups.ts';
import { NestedStatus } from './nested-status.ts';
import {
  maxWorkersSchema,
  type OrchestratorConfig,
  parseOptions,
  type ResolvedOrchestratorConfig,
  resolveOrchestratorConfig,
} from './orchestrator-config.ts';
import {
  type AgentOptions,
  assertCloneable,
  type DependencyInput,
  dependenciesSchema,
  parseRegistration,
} from './registration.ts';
import { restartTracker } from './restart-policy.ts';
import { Scheduler } from './scheduler.ts';
import { handleSignals } from './signal-handlers.ts';
import { type AgentStatusReport, formatStatusTable } from './status.ts';
import { Supervisor } from './supervisor.ts';
import { Watchdog } from './watchdog.ts';

type Lifecycle = 'open' | 'shutting-down' | 'shut-down';
/** A restart by hand under way: its promise, and whether a stop asked for since has called it off. */
interface PendingRestart {
  done: Promise<void>;
  cancelled: boolean;
}
type ResultOf<A> = A extends BaseAgent<object, infer R> ? R : unknown;

/**
 * Supervises agents running inline, in worker threads and in child processes: starts them
 * under a concurrency limit, emits lifecycle events, reports their state, stops and restarts them.
 */
export class Orchestrator {
  readonly #config: ResolvedOrchestratorConfig;
  readonly #records = new Map<string, AgentRecord>();
  readonly #events: EventHub;
  readonly #scheduler: Scheduler<AgentRecord>;
  readonly #watchdog: Watchdog<AgentRecord>;
  readonly #pool = new WarmPool();
  /** Restarts by hand under way (`restart`), by agent. */
  readonly #restarts = new Map<AgentRecord, PendingRestart>();
  /** Threads and processes whose runs are over but which are still exiting; shutdown() waits for them. */
  readonly #exiting = new Set<Promise<void>>();
  readonly #graph = new DependencyGraph();
  readonly #lookup = (name: string) => this.#records.get(name);
  readonly #groups = new Groups((name, field) => {
    if (!this.#records.has(name)) {
      throw new OrchestratorError(
        'ERR_UNKNOWN_AGENT',
        `No agent named ${describeValue(name)} (${field}; ${this.#known()}).`,
      );
    }
  });
  #logger: Logger | undefined;
  #sequence = 0;
  readonly #batch = new Batch({
    opened: () => {
      if (this.#config.handleSignals)
        this.#removeSignalHandlers ??= handleSignals(
          () => this.shutdown(),
          () => this.logger,
        );
      if (this.#config.runMode === 'daemon') this.#keepAlive ??= setInterval(() => {}, 2 ** 30);
    },
    ended: (counts) => {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
      this.#removeSignalHandlers?.();
      this.#removeSignalHandlers = undefined;
      this.#emit('orchestrator:all-agents-terminated', {
        orchestrator: this.#config.name,
        timestamp: Date.now(),
        ...counts,
      });
    },
  });
  /** Daemon mode: keeps the host process alive from start() until shutdown(). */
  #keepAlive: NodeJS.Timeout | undefined;
  #lifecycle: Lifecycle = 'open';
  #shutdown: Promise<void> | undefined;
  #shutdownWaiters: (() => void)[] = [];
  #removeSignalHandlers: (() => void) | undefined;

  readonly #supervisor = new Supervisor({
    isOpen: () => this.#lifecycle === 'open',
    emit: (event, payload) => this.#emit(event, payload),
    prepareRun: (record) => this.#prepareRun(record),
    countRestart: (record, automatic, delayMs) => this.#countRestart(record, automatic, delayMs),
    admitWaiting: (record) => this.#admitWaiting(record),
    liveDependents: (record) =>
      [...this.#graph.closure([record.name], 'dependents')].filter(
        (dependent) => dependent !== record.name && isLive(this.#records.get(dependent)!.status),
      ),
    restart: (name) => this.restart(name),
    logError: (error, agent, message) => this.logger.error({ err: error, agent }, message),
  });

  /** What every AgentEntry calls back: one object for all of them. */
  readonly #entryController: EntryController = {
    startAgent: (agent) => this.#startOne(agent),
    stop: (agent) => this.stop(agent),
    restart: (agent) => this.restart(agent),
    kill: (agent) => this.kill(agent),
    dependenciesOf: (agent) => this.#graph.dependenciesOf(agent),
  };

  constructor(config: OrchestratorConfig = {}) {
    this.#config = resolveOrchestratorConfig(config);
    this.#events = new EventHub({
      history: this.#config.history,
      historySize: this.#config.historySize,
      indexOf: (agent) => this.#records.get(agent)?.index,
      listenerFailed: (error, event) =>
        this.logger.error(
          { err: error, event },
          `A listener of ${String(event)} threw; the orchestrator carries on.`,
        ),
      durableFailed: (error) =>
        this.logger.error({ err: error }, 'Cannot write the history file; durable history is off.'),
    });
    const runContext = this.#runContext();
    this.#scheduler = new Scheduler(this.#config.maxWorkers, (record) => launchRun(record, runContext));
    this.#watchdog = new Watchdog(
      this.#config.checkInterval,
      this.#config.unresponsiveAfter,
      (record, silentMs, lastSequence) => this.#supervisor.unresponsive(record, silentMs, lastSequence),
    );
  }

  get name(): string {
    return this.#config.name;
  }

  /** The resolved config, defaults filled in. */
  get config(): Readonly<ResolvedOrchestratorConfig> {
    return this.#config;
  }

  get maxWorkers(): number {
    return this.#scheduler.maxWorkers;
  }

  /** Takes effect at once: raising it starts waiting agents now. */
  set maxWorkers(value: number) {
    const parsed = parseOptions(maxWorkersSchema, value, 'maxWorkers');
    this.#config.maxWorkers = parsed;
    this.#scheduler.maxWorkers = parsed;
  }

  /** The orchestrator's structured logger. */
  get logger(): Logger {
    this.#logger ??= createLogger(
      { orchestrator: this.#config.name },
      this.#config.logLevel,
      this.#config.logDestination,
    );
    return this.#logger;
  }

  // ---- events -------------------------------------------------------------------------------

  on<K extends keyof OrchestratorEventMap>(
    event: K,
    listener: (payload: OrchestratorEventMap[K]) => void,
  ): this;
  on(event: '*', listener: (event: AnyOrchestratorEvent) => void): this;
  on(event: keyof OrchestratorEventMap | '*', listener: (payload: never) => void): this {
    assertSubscription(event, listener, true);
    this.#events.emitter.on(event as never, listener);
    return this;
  }

  once<K extends keyof OrchestratorEventMap>(
    event: K,
    listener: (payload: OrchestratorEventMap[K]) => void,
  ): this {
    assertSubscription(event, listener, false);
    this.#events.emitter.once(event, listener);
    return this;
  }

  off<K extends keyof OrchestratorEventMap>(
    event: K,
    listener: (payload: OrchestratorEventMap[K]) => void,
  ): this;
  off(event: '*', listener: (event: AnyOrchestratorEvent) => void): this;
  off(event: keyof OrchestratorEventMap | '*', listener: (payload: never) => void): this {
    assertSubscription(event, listener, true);
    this.#events.emitter.off(event as never, listener);
    return this;
  }

  /** Every event from now on, as an async iterator. Break the loop or abort `signal` to end it. */
  events(signal?: AbortSignal): AsyncGenerator<AnyOrchestratorEvent> {
    return this.#events.emitter.stream(signal) as AsyncGenerator<AnyOrchestratorEvent>;
  }

  // ---- registration -------------------------------------------------------------------------

  /**
   * Registers an agent class. Throws if the options are invalid, the name is taken, or the class
   * cannot be loaded in its mode (the error says what to add).
   */
  registerAgent<A extends BaseAgent>(
    AgentClass: AgentClass<A>,
    options: AgentOptions<A['config']> = {},
  ): AgentEntry<ResultOf<A>> {
    this.#assertOpen();
    const { name, config, registration } = parseRegistration(AgentClass as AgentClass, options);
    if (this.#records.has(name)) {
      throw new OrchestratorError(
        'ERR_DUPLICATE_AGENT',
        `An agent named "${name}" is already registered; pass a unique "name".`,
      );
    }
    const since = Date.now();
    const record: AgentRecord = {
      name,
      AgentClass: AgentClass as AgentClass,
      registration,
      events: undefined,
      priority: registration.priority,
      sequence: this.#sequence++,
      config: resolveConfig(AgentClass as AgentClass, config),
      status: 'registered',
      since,
      state: undefined,
      runtime: undefined,
      result: undefined,
      lastError: undefined,
      restarts: 0,
      entry: undefined,
      reached: undefined,
      unmet: undefined,
      restarting: false,
      index: this.#events.stats.add(),
      supervision: restartTracker(registration.restart),
      startIn: undefined,
      extras: undefined,
    };
    const entry = new AgentEntry<ResultOf<A>>(record, this.#entryController, options as AgentOptions);
    this.#records.set(name, record);
    record.entry = entry as AgentEntry;
    // Most agents have neither: no iterator over an empty list (~80 bytes a registration).
    const { dependsOn, groups } = registration;
    if (dependsOn.length > 0) {
      for (const dependency of dependsOn) this.#graph.add(name, dependency.agent, dependency.condition);
    }
    if (groups.length > 0) for (const group of groups) this.#groups.add(group, [name]);
    this.#emitCompact('agent:registered', record, since, compactCode.mode(registration.mode));
    return entry;
  }

  /** The entry of a registered agent; throws `ERR_UNKNOWN_AGENT` naming the known ones. */
  getAgent(name: string): AgentEntry {
    return this.#record(name).entry!;
  }

  /** Every registered agent, in registration order. */
  agents(): AgentEntry[] {
    return Array.from(this.#records.values(), (record) => record.entry!);
  }

  // ---- status, stats, groups ----------------------------------------------------------------

  /** Every agent's state now: mode, pid / threadId, start time, uptime, restarts, last exit and error, what it waits for. */
  status(): AgentStatusReport[];
  /** One agent's status; throws `ERR_UNKNOWN_AGENT`. */
  status(name: string): AgentStatusReport;
  status(name?: string): AgentStatusReport | AgentStatusReport[] {
    const now = Date.now();
    if (name !== undefined) {
      // Not a string: no agent has that name (`#record` says so, naming the value).
      const slash = typeof name === 'string' ? name.indexOf('/') : -1;
      if (slash < 0) return this.#statusOf(this.#record(name), now);
      // A nested agent, by its path: `parent/child`.
      const found = this.#record(name.slice(0, slash)).extras?.nested?.get(name, now);
      if (!found) {
        throw new OrchestratorError('ERR_UNKNOWN_AGENT', `No nested agent named ${describeValue(name)}.`);
      }
      return found;
    }
    return [...this.#records.values()].flatMap((record) => [
      this.#statusOf(record, now),
      ...(record.extras?.nested?.rows(now) ?? []),
    ]);
  }

  /** `status()` as a table. Written to `out` when given (e.g. `process.stdout`); returned either way. */
  report(out?: { write(text: string): unknown }): string {
    if (out !== undefined && typeof (out as { write?: unknown } | null)?.write !== 'function') {
      throw new InvalidOptionError('out', out, 'an object with a write(text) method, such as process.stdout');
    }
    const table = formatStatusTable(this.status());
    out?.write(`${table}\n`);
    return table;
  }

  /**
   * Events kept in the bounded history, oldest first: filter by `agent`, `type` (one or a list),
   * `since` / `until` (timestamps, inclusive) and `limit` (the newest N). Bad ranges throw.
   */
  history(query?: EventQuery): StoredEvent[] {
    return this.#events.history(query);
  }

  /** Reads a durable history file (`history.file`), e.g. after the orchestrator that wrote it crashed. */
  static readHistory(file: string, query?: EventQuery): StoredEvent[] {
    const durable = SqliteHistory.open(file, true);
    try {
      return durable.query(query);
    } finally {
      durable.close();
    }
  }

  /** Counts (starts, restarts, failures...), run times and the timestamped history of one agent. */
  getAgentStats(name: string): AgentStats {
    const record = this.#record(name);
    return this.#events.stats.snapshot(record.index, record.name);
  }

  /** Adds registered agents to a group (created on first use). Unknown names: nothing changes. */
  addToGroup(group: string, names: string[]): void {
    this.#groups.add(group, names);
  }

  /** Removes agents from a group (a group with no members is gone). */
  removeFromGroup(group: string, names: string[]): void {
    this.#groups.remove(group, names);
  }

  /** The entries of a group's agents; throws `ERR_UNKNOWN_GROUP`. */
  getGroup(group: string): AgentEntry[] {
    return this.#groups.members(group).map((name) => this.#records.get(name)!.entry!);
  }

  /** Every group with its members' names. */
  groups(): Record<string, string[]> {
    return this.#groups.all();
  }

  /** Starts every agent of the group that has not started (and what they depend on). */
  async startGroup(group: string): Promise<void> {
    this.#assertOpen();
    await this.#startWithDependencies(this.#groups.members(group));
  }

  /** Stops every agent of the group (dependents first); resolves once they have ended. */
  async stopGroup(group: string): Promise<void> {
    const members = new Set(this.#groups.members(group));
    const order = this.#graph.order([...this.#records.keys()]).filter((name) => members.has(name));
    await Promise.all(order.reverse().map((name) => this.#requestStop(this.#records.get(name)!, false)));
  }

  /** Restarts every agent of the group (see `restart`). */
  async restartGroup(group: string): Promise<void> {
    await Promise.all(this.#groups.members(group).map((name) => this.restart(name)));
  }

  #statusOf(record: AgentRecord, now: number): AgentStatusReport {
    const { status } = record;
    const live = isLive(status);
    const startedAt = this.#events.stats.startedAt(record.index);
    const lastExit = this.#events.stats.lastExit(record.index);
    const error = record.lastError;
    const entry = record.entry!;
    const waiting = entry.waitingFor;
    return {
      name: record.name,
      state: status,
      mode: record.registration.mode,
      pid: live ? record.runtime?.pid : undefined,
      threadId: live ? record.runtime?.threadId : undefined,
      startedAt,
      uptimeMs: live && startedAt !== undefined ? now - startedAt : undefined,
      restarts: record.restarts,
      exitCode: lastExit?.exitCode,
      signal: lastExit?.signal,
      lastError: error && `${error.name}: ${error.message}`,
      waitingFor:
        waiting &&
        (waiting.reason === 'slot'
          ? 'a slot'
          : waiting.reason === 'backoff'
            ? `a restart in ${Math.max(0, waiting.until - now)} ms`
            : waiting.dependencies.map(({ agent, condition }) => `${agent} (${condition})`).join(', ')),
      groups: this.#groups.of(record.name),
    };
  }

  // ---- dependencies -------------------------------------------------------------------------

  /**
   * Declares that agent `name` depends on each of `dependsOn`: names (condition `ready`) or
   * `{ agent, condition }` with `started`, `ready` or `completed`. Every agent named must already
   * be registered; on any bad input nothing is added. Takes effect the next time `name` starts.
   * Cycles are reported by `validateDependencies()` (and so by `start()`).
   */
  addDependency(name: string, dependsOn: DependencyInput | DependencyInput[]): void {
    this.#record(name);
    const dependencies = parseOptions(
      dependenciesSchema,
      Array.isArray(dependsOn) ? dependsOn : [dependsOn],
      `${name}.dependsOn`,
    );
    dependencies.forEach(({ agent }, index) => {
      if (agent === name) {
        throw new InvalidOptionError(
          `${name}.dependsOn.${index}`,
          agent,
          `an agent other than "${name}" itself (an agent cannot depend on itself)`,
        );
      }
      if (!this.#records.has(agent)) {
        throw new OrchestratorError(
          'ERR_UNKNOWN_AGENT',
          `Agent "${name}" cannot depend on ${JSON.stringify(agent)} (${name}.dependsOn.${index}): no agent of that name is registered (${this.#known()}).`,
        );
      }
    });
    for (const { agent, condition } of dependencies) this.#graph.add(name, agent, condition);
  }

  /**
   * Checks every declared dependency: each names a registered agent, and there is no cycle.
   * Returns every agent's name, dependencies first. Throws `DependencyError` listing every
   * missing agent and every cycle as a path (`a -> b -> c -> a`). Linear in agents + edges.
   */
  validateDependencies(): string[] {
    return this.#graph.order([...this.#records.keys()]);
  }

  // ---- running ------------------------------------------------------------------------------

  /**
   * Validates the dependencies and every registered agent's config (nothing runs if anything is
   * refused), then queues them dependencies first; each starts once its dependencies' conditions
   * hold and a slot is free. Resolves once all are queued. In daemon mode, also keeps the
   * orchestrator up until `shutdown()`.
   */
  async start(): Promise<void> {
    this.#assertOpen();
    await this.#admit(this.#dependenciesFirst(Array.from(this.#records.values())));
    if (this.#config.runMode === 'daemon') this.#batch.open();
  }

  /** Validates the configs of the `registered` agents among `records` (in order), then queues them. */
  async #admit(records: AgentRecord[]): Promise<void> {
    // Taken before anything is awaited: the context of whoever called start().
    const startIn = captureContext();
    const pending = records.filter((record) => record.status === 'registered');
    const refused: ConfigError[] = [];
    // The validated configs, by position in `pending` (used only when none was refused).
    const validated: AgentRecord['config'][] = [];
    // By index: a for-of in an async function makes an iterator result per agent (~40 bytes).
    for (let at = 0; at < pending.length; at++) {
      try {
        const config = this.#validate(pending[at]!);
        validated.push(config instanceof Promise ? await config : config);
      } catch (error) {
        if (error instanceof ConfigError) refused.push(error);
        else throw error;
      }
    }
    if (refused.length === 1) throw refused[0];
    if (refused.length > 1) {
      throw new ConfigError(
        refused.map((error) => error.agent).join(', '),
        refused.flatMap((error) =>
          error.issues.map((issue) => ({ ...issue, field: `${error.agent}: ${issue.field}` })),
        ),
      );
    }
    this.#batch.admitting = true;
    try {
      for (let at = 0; at < pending.length; at++) {
        const record = pending[at]!;
        record.config = validated[at]!;
        record.sequence = this.#sequence++;
        record.startIn = startIn;
        this.#enqueue(record);
      }
    } finally {
      this.#batch.admitting = false;
    }
    this.#maybeEndBatch();
  }

  /**
   * Batch mode: resolves once every started agent has ended and `ALL_AGENTS_TERMINATED` was emitted
   * (at once if nothing runs or waits). Daemon mode: resolves after `shutdown()`.
   */
  join(): Promise<void> {
    if (this.#config.runMode === 'daemon' && this.#lifecycle !== 'shut-down') {
      return new Promise((resolve) => this.#shutdownWaiters.push(resolve));
    }
    return this.#batch.join();
  }

  /** Waits until no agent runs or waits for a slot; no events or batch bookkeeping involved. */
  async simpleJoin(): Promise<void> {
    for (;;) {
      const active = [...this.#records.values()].filter(
        (record) => !isTerminal(record.status) && record.status !== 'registered',
      );
      if (active.length === 0) return;
      await Promise.all(active.map(whenEnded));
    }
  }

  /**
   * Graceful stop of one agent, or of all (waiting ones are taken out of the queue first, then
   * running ones stop in reverse registration order). Forced after `stopTimeout`. Resolves once ended.
   */
  async stop(name?: string): Promise<void> {
    if (name !== undefined) return this.#requestStop(this.#record(name), false);
    // A restart under way would relaunch its agent after this stop: it is called off.
    for (const restart of this.#restarts.values()) restart.cancelled = true;
    // Waiting agents leave first, dependents before their dependencies (so none is skipped).
    this.#scheduler.drain();
    const waiting = [...this.#records.values()]
      .filter((record) => record.status === 'waiting')
      .sort((a, b) => b.sequence - a.sequence);
    for (const record of waiting) {
      this.#supervisor.cancel(record);
      record.unmet = undefined;
      this.#endUnlaunched(record, 'stopped');
    }
    // Running agents stop in reverse dependency order: each once its live dependents have ended.
    const stopping = new Map<string, Promise<void>>();
    for (const name of this.#stopOrder()) {
      const record = this.#records.get(name)!;
      if (!isLive(record.status)) continue;
      const dependents = [...this.#graph.dependentsOf(name)].flatMap(
        (dependent) => stopping.get(dependent) ?? [],
      );
      stopping.set(
        name,
        Promise.all(dependents).then(() => this.#stopOne(record, false)),
      );
    }
    await Promise.all(stopping.values());
  }

  /** Dependents before their dependencies; registration order reversed when the graph is not valid. */
  #stopOrder(): string[] {
    try {
      return this.validateDependencies().reverse();
    } catch {
      return [...this.#records.keys()].reverse();
    }
  }

  /** Forced stop of one agent now (no grace period). */
  async kill(name: string): Promise<void> {
    return this.#requestStop(this.#record(name), true);
  }

  /**
   * Stops the agent (if it runs), waits for it, and relaunches a fresh instance. A restart asked
   * for while one is under way is that one. A stop or shutdown asked for meanwhile wins: the agent
   * is not relaunched, and the restart resolves (a rejection there would go unhandled wherever a
   * restart is fired and forgotten).
   */
  async restart(name: string): Promise<void> {
    this.#assertOpen();
    const record = this.#record(name);
    const underWay = this.#restarts.get(record);
    if (underWay) return underWay.done;
    if (record.status === 'registered') return this.#startOne(name);
    const restart: PendingRestart = { done: Promise.resolve(), cancelled: false };
    restart.done = this.#restartRun(record, restart).finally(() => this.#restarts.delete(record));
    this.#restarts.set(record, restart);
    return restart.done;
  }

  async #restartRun(record: AgentRecord, restart: PendingRestart): Promise<void> {
    const startIn = captureContext(); // before the stop is awaited: the caller's context
    // Dependents waiting on this agent keep waiting for its next run instead of being skipped.
    record.restarting = true;
    let config: AgentRecord['config'];
    try {
      await this.#stopOne(record, false);
      config = await this.#validate(record);
    } catch (error) {
      this.#notRelaunched(record);
      throw error;
    }
    // Asked to stop (or shut down) while this one stopped the run: not relaunched.
    if (restart.cancelled) return this.#notRelaunched(record);
    record.restarting = false;
    record.config = config;
    record.startIn = startIn;
    this.#countRestart(record, false, 0);
    this.#enqueue(record);
  }

  /** A restart that stopped the run will not relaunch it: what waited for the relaunch goes on without. */
  #notRelaunched(record: AgentRecord): void {
    record.restarting = false;
    this.#propagate(record);
    this.#maybeEndBatch();
  }

  /** A new run of `record` begins as a restart: fresh events, back of its priority, counted and told. */
  #countRestart(record: AgentRecord, automatic: boolean, delayMs: number): void {
    record.restarts++;
    // Events never made are as a new run's already.
    resetRunEvents(record);
    record.sequence = this.#sequence++;
    this.#emit('agent:restarted', {
      agent: record.name,
      timestamp: Date.now(),
      restarts: record.restarts,
      automatic,
      delayMs,
    });
  }

  /** Stops every agent and releases every resource. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#lifecycle = 'shutting-down';
      await this.stop();
      this.#lifecycle = 'shut-down';
      this.#watchdog.stop();
      await this.#pool.close();
      await Promise.all(this.#exiting);
      this.#events.close();
      this.#batch.end();
      for (const resolve of this.#shutdownWaiters.splice(0)) resolve();
    })();
    return this.#shutdown;
  }

  // ---- internals ----------------------------------------------------------------------------

  async #startOne(name: string): Promise<void> {
    this.#assertOpen();
    const record = this.#record(name);
    const { status } = record;
    if (status !== 'registered') {
      if (isTerminal(status)) {
        throw new OrchestratorError(
          'ERR_AGENT_STATE',
          `Agent "${name}" has already run (${status}); use restart().`,
        );
      }
      return; // already waiting or running
    }
    await this.#startWithDependencies([name]);
  }

  /** Starts `names` and the agents they depend on that have not started yet, dependencies first. */
  async #startWithDependencies(names: Iterable<string>): Promise<void> {
    const needed = this.#graph.closure(names);
    await this.#admit(
      this.#dependenciesFirst(Array.from(this.#records.values()).filter(({ name }) => needed.has(name))),
    );
  }

  /**
   * `records` (in registration order), dependencies first; throws `DependencyError`. Without any
   * dependency that is the order given: the records as they are, not each looked up again by name
   * (100,000 look-ups into a table far larger than the cache).
   */
  #dependenciesFirst(records: AgentRecord[]): AgentRecord[] {
    if (this.#graph.edgeCount === 0) return records;
    return this.#graph.order(records.map(({ name }) => name)).map((name) => this.#records.get(name)!);
  }

  /**
   * The config to run `record` with; throws `ConfigError` when refused. Async only when its schema is.
   * A schema's output may differ from its input (transforms, defaults, stripped keys), so each
   * validation (a restart validates again) starts from the config given, not the last output.
   */
  #validate(record: AgentRecord): AgentRecord['config'] | Promise<AgentRecord['config']> {
    const { AgentClass } = record;
    // Nothing declared to check it with (the commonest case): the config given runs as it is, the
    // same frozen object for every run (an inline agent takes it without a copy).
    if (!validatesConfig(AgentClass)) return this.#accept(record, Object.freeze(record.config), NO_ISSUES);
    const given = record.extras?.givenConfig ?? record.config;
    if (AgentClass.schema !== undefined) extrasOf(record).givenConfig = given;
    const result = validateConfig(AgentClass, given);
    return result instanceof Promise
      ? result.then(({ config, issues }) => this.#accept(record, config, issues))
      : this.#accept(record, result.config, result.issues);
  }

  #accept(
    record: AgentRecord,
    config: AgentRecord['config'],
    issues: readonly ConfigIssue[],
  ): AgentRecord['config'] {
    const { mode } = record.registration;
    if (issues.length > 0) this.#weigh(record, issues);
    if (mode !== 'inline') assertCloneable(record.name, config, mode);
    return config;
  }

  /** Logs the warnings, and the errors its policy ignores; throws `ConfigError` when any issue blocks the start. */
  #weigh(record: AgentRecord, issues: readonly ConfigIssue[]): void {
    const { ignoreConfigErrors } = record.registration;
    for (const issue of issues.filter((found) => found.severity === 'warning')) {
      this.logger.warn({ agent: record.name, field: issue.field, value: issue.value }, issue.message);
    }
    const blocking = issues.filter(
      (issue) => issue.severity === 'critical' || (issue.severity === 'error' && !ignoreConfigErrors),
    );
    if (blocking.length > 0)
      throw new ConfigError(
        record.name,
        issues.filter((issue) => issue.severity !== 'warning'),
      );
    for (const issue of issues.filter((found) => found.severity === 'error')) {
      this.logger.error(
        { agent: record.name, field: issue.field, value: issue.value },
        `${issue.message} (ignored by policy)`,
      );
    }
  }

  #enqueue(record: AgentRecord): void {
    // It waits and is queued at one moment: one clock read for both events.
    const since = Date.now();
    this.#prepareRun(record, since);
    this.#admitWaiting(record, since);
  }

  /** A new run begins: it waits (for its dependencies, a slot, or a backoff). */
  #prepareRun(record: AgentRecord, since = Date.now()): void {
    record.result = undefined;
    record.reached = undefined;
    record.unmet = undefined;
    this.#batch.open();
    this.#transition(record, 'waiting', since);
  }

  /** A waiting agent: skipped, waiting for its dependencies, or queued for a slot (at `now`, when given). */
  #admitWaiting(record: AgentRecord, now?: number): void {
    const verdict = admit(record, this.#graph, this.#lookup);
    if (verdict.kind === 'blocked') {
      this.#skip(record, verdict.reason);
      this.#propagate(record);
      this.#maybeEndBatch();
    } else if (verdict.kind === 'met') {
      this.#queueForSlot(record, now);
    }
  }

  /** Dependencies met: the agent waits for a slot (or takes a free one now). */
  #queueForSlot(record: AgentRecord, now?: number): void {
    const queuedBefore = this.#scheduler.queued;
    const position = this.#scheduler.enqueue(record);
    // Emit AGENT_QUEUED only when it really waits for a slot.
    if (record.status === 'waiting' && this.#scheduler.queued > queuedBefore) {
      this.#emitCompact('agent:queued', record, now ?? Date.now(), position);
    }
  }

  /** What every run calls back: built once, not for each launch. */
  #runContext(): RunContext {
    return {
      pool: this.#pool,
      teardown: (exited) => {
        this.#exiting.add(exited);
        void exited.then(() => this.#exiting.delete(exited));
      },
      logSink: this.#config.logDestination,
      logLevel: this.#config.logLevel,
      killTimeout: this.#config.killTimeout,
      transition: (target, status, since, state) => this.#transition(target, status, since, state),
      emit: (event, payload, record) => this.#emit(event, payload, record),
      emitCompact: (event, record, timestamp, code) => this.#emitCompact(event, record, timestamp, code),
      progressed: (progressed) => this.#propagate(progressed),
      nested: (parent, event) => this.#nested(parent, event),
      heartbeat: (beating, sequence) => {
        this.#watchdog.beat(beating, sequence);
        this.#emit('agent:heartbeat', { agent: beating.name, timestamp: Date.now(), sequence }, beating);
      },
      finished: (done, uptimeMs) => {
        this.#watchdog.forget(done);
        const delay = this.#supervisor.restartDelay(done, uptimeMs);
        // Dependents keep waiting for an agent about to be restarted by its policy.
        if (delay !== undefined) done.restarting = true;
        // Dependents released by this end compete for the freed slot with everyone queued.
        this.#propagate(done);
        this.#scheduler.release();
        runEnded(done);
        if (delay !== undefined) this.#supervisor.schedule(done, delay);
        this.#maybeEndBatch();
      },
    };
  }

  /**
   * An event of the orchestrator nested in `parent` (an OrchestratorAgent): re-emitted here with the
   * agent's path (`parent/child`), and kept for status(). The nested batch's end is not re-emitted:
   * it is `parent`'s result.
   */
  #nested(parent: AgentRecord, event: { type: string; payload: Record<string, unknown> }): void {
    const { type, payload } = event;
    if (!isOrchestratorEventName(type) || type === OrchestratorEvent.ALL_AGENTS_TERMINATED) return;
    if (typeof payload.agent !== 'string') return;
    const tagged = {
      type,
      payload: { ...payload, agent: `${parent.name}/${payload.agent}` },
    } as AnyOrchestratorEvent;
    const extras = extrasOf(parent);
    extras.nested ??= new NestedStatus();
    extras.nested.observe(tagged);
    this.#emit(tagged.type, tagged.payload as never);
  }

  /** A stop asked for from outside: it also calls off a restart of the agent under way. */
  #requestStop(record: AgentRecord, force: boolean): Promise<void> {
    const restart = this.#restarts.get(record);
    if (restart) restart.cancelled = true;
    return this.#stopOne(record, force);
  }

  async #stopOne(record: AgentRecord, force: boolean): Promise<void> {
    const { status } = record;
    if (status === 'waiting') {
      this.#supervisor.cancel(record);
      if (!this.#scheduler.remove(record)) record.unmet = undefined;
      this.#endUnlaunched(record, 'stopped');
      return;
    }
    if (!isLive(status) || !record.runtime) return whenEnded(record);
    const runtime = record.runtime;
    if (status !== 'stopping') {
      const since = Date.now();
      this.#transition(record, 'stopping', since, { status: 'stopping', since, forced: force });
      this.#emit('agent:stopping', { agent: record.name, timestamp: since, forced: force });
    }
    recordEvents(record).set('stopRequested');
    const forceNow = () => {
      if (record.runtime !== runtime) return;
      if (!force) this.#emit('agent:stopping', { agent: record.name, timestamp: Date.now(), forced: true });
      runtime.kill();
    };
    if (force) forceNow();
    else extrasOf(record).stopTimer ??= setTimeout(forceNow, this.#config.stopTimeout);
    return whenEnded(record);
  }

  /** An agent that never launched leaves the queue, stopped. */
  #endUnlaunched(record: AgentRecord, status: 'stopped'): void {
    const timestamp = Date.now();
    this.#transition(record, status, timestamp, { status, since: timestamp, reason: 'stopped' });
    this.#emit('agent:terminated', {
      agent: record.name,
      timestamp,
      reason: 'stopped',
      exitCode: null,
      signal: null,
      result: undefined,
      error: undefined,
      durationMs: 0,
    });
    runEnded(record);
    this.#propagate(record);
    this.#maybeEndBatch();
  }

  /** A dependency ended without meeting the agent's condition: it will never start. */
  #skip(record: AgentRecord, reason: string): void {
    const timestamp = Date.now();
    this.#transition(record, 'skipped', timestamp, { status: 'skipped', since: timestamp, reason });
    this.#emit('agent:skipped', { agent: record.name, timestamp, reason });
    runEnded(record);
  }

  /**
   * `record` made progress (a milestone, or its end): dependents whose conditions now hold are
   * queued for a slot, those that can never start are skipped, and so on down the graph
   * (iteratively: a chain of 100,000 skips must not overflow the stack).
   */
  #propagate(record: AgentRecord): void {
    // The usual case, three times a run: nothing depends on it, so nothing to re-check or allocate
    // (and with no dependency declared at all, not even a look-up by name).
    if (this.#graph.edgeCount === 0 || this.#graph.dependentsOf(record.name).size === 0) return;
    const pending = [record];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { released, blocked } = progress(next, this.#graph, this.#lookup);
      for (const [dependent, reason] of blocked) {
        this.#skip(dependent, reason);
        pending.push(dependent);
      }
      for (const dependent of released) this.#queueForSlot(dependent);
    }
  }

  /** Batch mode: once nothing runs or waits (and no set of agents is being queued), the batch ends. */
  #maybeEndBatch(): void {
    if (this.#batch.idle && this.#config.runMode === 'batch') this.#batch.end();
  }

  /** `record` goes to `status` at `since`; `state`: its object, for a status with data of its own (see `AgentRecord.state`). */
  #transition(record: AgentRecord, status: AgentStatus, since: number, state?: AgentState): void {
    const from = record.status;
    assertTransition(record.name, from, status);
    record.status = status;
    record.since = since;
    record.state = state;
    if (from !== status) {
      this.#emitCompact('agent:state-changed', record, since, compactCode.transition(from, status));
    }
    this.#batch.transition(from, status, state);
  }

  /** `record`: the agent the event is about, when at hand (its stats need no look-up then). */
  #emit<K extends keyof OrchestratorEventMap>(
    event: K,
    payload: OrchestratorEventMap[K],
    record?: AgentRecord,
  ): void {
    this.#events.emit(event, payload, record?.index);
  }

  /** One of `record`'s small events, as its code (compact-payload.ts): no payload unless someone listens. */
  #emitCompact(event: CompactEventName, record: AgentRecord, timestamp: number, code: number): void {
    this.#events.emitCompact(event, record.name, timestamp, code, record.index);
  }

  #record(name: string): AgentRecord {
    const record = this.#records.get(name);
    if (!record) {
      throw new OrchestratorError(
        'ERR_UNKNOWN_AGENT',
        `No agent named ${describeValue(name)} (${this.#known()}).`,
      );
    }
    return record;
  }

  /** The registered names, for error messages (the first 20 of a long list). */
  #known(): string {
    const count = this.#records.size;
    if (count === 0) return 'none are registered';
    const shown = [...this.#records.keys()].slice(0, 20).join(', ');
    return `one of: ${shown}${count > 20 ? `, and ${count - 20} more` : ''}`;
  }

  #assertOpen(): void {
    if (this.#lifecycle !== 'open') {
      throw new OrchestratorError('ERR_SHUT_DOWN', `Orchestrator "${this.#config.name}" is shut down.`);
    }
  }
}

/**
 * `on`, `once` and `off` take an event the map has (or `'*'`, where `wildcard`) and a function: a
 * misspelt event name would never fire, and a listener that is not a function would fail at every
 * event (in `once`, as a bare TypeError at once).
 */
function assertSubscription(event: unknown, listener: unknown, wildcard: boolean): void {
  if (!isOrchestratorEventName(event) && !(wildcard && event === '*')) {
    throw new InvalidOptionError('event', event, `${wildcard ? "'*' or " : ''}${EVENT_LIST}`);
  }
  if (typeof listener !== 'function') throw new InvalidOptionError('listener', listener, 'a function');
}
