/**
 * One run of one agent: launches its runtime and turns what the runtime reports into
 * state transitions and events. The end is noticed the moment the thread, process or
 * inline lifecycle ends; its reason comes from what the agent reported before it.
 */
import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import {
  AgentExitError,
  AgentKilledError,
  OrchestratorError,
  type SerializedError,
  serializeError,
} from '../errors.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import type { OrchestratorEventMap } from '../events/event-map.ts';
import { type CompactEventName, compactCode } from '../history/compact-payload.ts';
import type { LogSink } from '../logging/logger.ts';
import type { AgentSpec, ChildMessage } from '../protocol/messages.ts';
import type {
  ExitInfo,
  LaunchRequest,
  ResourceLimits,
  RuntimeHandlers,
  RuntimeLauncher,
} from '../runtime/agent-runtime.ts';
import type { ContextRunner } from '../runtime/inline-guard.ts';
import { launchInline } from '../runtime/inline-runtime.ts';
import { launchFresh } from '../runtime/remote-host.ts';
import type { WarmPool } from '../runtime/warm-pool.ts';
import { type AgentRecord, recordEvents, settleEvents } from './agent-record.ts';
import type { AgentState, AgentStatus } from './agent-state.ts';
import { reach } from './dependency-waits.ts';

const LAUNCHERS: Record<AgentRecord['registration']['mode'], RuntimeLauncher> = {
  inline: launchInline,
  thread: launchFresh('thread'),
  process: launchFresh('process'),
};

export interface RunContext {
  /** Warm threads and processes, for agents registered with `reuse`. */
  pool: WarmPool;
  logSink: LogSink;
  logLevel: string;
  killTimeout: number;
  /** `record` goes to `status` at `since`; `state`: the state's object, for a status with data of its own. */
  transition(record: AgentRecord, status: AgentStatus, since: number, state?: AgentState): void;
  /** An event about `record`'s run. */
  emit<K extends keyof OrchestratorEventMap>(
    event: K,
    payload: OrchestratorEventMap[K],
    record: AgentRecord,
  ): void;
  /** One of `record`'s small events, as its code (compact-payload.ts). */
  emitCompact(event: CompactEventName, record: AgentRecord, timestamp: number, code: number): void;
  /** An event of the nested orchestrator this agent runs. */
  nested(record: AgentRecord, event: { type: string; payload: Record<string, unknown> }): void;
  /** The agent sent a heartbeat. */
  heartbeat(record: AgentRecord, sequence: number): void;
  /** The agent reached a milestone its dependents may wait for (`started`, `ready`). */
  progressed(record: AgentRecord): void;
  /** A thread or process whose run is over but which is still tearing down. */
  teardown(exited: Promise<void>): void;
  /** The run is over (it lasted `uptimeMs`) and its terminal state recorded: free the slot. */
  finished(record: AgentRecord, uptimeMs: number): void;
}

export function launchRun(record: AgentRecord, context: RunContext): void {
  new AgentRun(record, context).launch();
}

const now = () => Date.now();

/**
 * One run, as the orchestrator sees it: what its runtime is launched with, and the handlers the
 * runtime reports to. One object with the run's state in fields, where closures over a scope, a
 * launch request and its spec cost an object each.
 */
class AgentRun implements RuntimeHandlers, LaunchRequest {
  readonly #record: AgentRecord;
  readonly #context: RunContext;
  #outcome: Extract<ChildMessage, { type: 'done' }> | undefined;
  #firstError: SerializedError | undefined;
  /** The runtime has ended: a runtime must not report after its end, and a straggler must not break the host. */
  #over = false;
  /** When it launched (`performance.now()`), for its duration. */
  #launchedAt = 0;
  /** The context it starts in (inline), taken from the record at launch. */
  #startIn: ContextRunner | undefined;

  constructor(record: AgentRecord, context: RunContext) {
    this.#record = record;
    this.#context = context;
  }

  launch(): void {
    const record = this.#record;
    const context = this.#context;
    const { registration } = record;
    context.transition(record, 'starting', now());
    this.#launchedAt = performance.now();
    this.#startIn = record.startIn;
    record.startIn = undefined;
    try {
      const { reuse, mode } = registration;
      record.runtime =
        reuse && mode !== 'inline'
          ? context.pool.launch(mode, this, this, reuse)
          : LAUNCHERS[mode](this, this);
    } catch (error) {
      this.exit({ exitCode: null, signal: null, forced: false, error: error as Error });
    }
  }

  // ---- the launch request (LaunchRequest): read by the runtime as it launches ----

  get name(): string {
    return this.#record.name;
  }
  get config(): Record<string, unknown> {
    return this.#record.config;
  }
  get logLevel(): string {
    return this.#record.registration.logLevel ?? this.#context.logLevel;
  }
  get spec(): AgentSpec {
    const { moduleRef, pluginSpecs } = this.#record.registration;
    return {
      name: this.name,
      moduleUrl: moduleRef?.moduleUrl ?? '',
      exportName: moduleRef?.exportName ?? '',
      config: this.config,
      plugins: pluginSpecs,
      logLevel: this.logLevel,
    };
  }
  get AgentClass(): AgentClass {
    return this.#record.AgentClass;
  }
  get plugins(): readonly AgentPlugin[] {
    return this.#record.registration.plugins;
  }
  get events(): AgentEvents {
    return recordEvents(this.#record);
  }
  get logSink(): LogSink {
    return this.#context.logSink;
  }
  get killTimeout(): number {
    return this.#context.killTimeout;
  }
  get resourceLimits(): ResourceLimits | undefined {
    return this.#record.registration.resourceLimits;
  }
  get startIn(): ContextRunner | undefined {
    return this.#startIn;
  }

  // ---- what the runtime reports (RuntimeHandlers) ----

  message(message: ChildMessage): void {
    if (this.#over) return;
    const record = this.#record;
    const context = this.#context;
    switch (message.type) {
      case 'lifecycle': {
        const timestamp = now();
        if (message.phase === 'started') {
          const runtime = record.runtime!;
          if (runtime.mode === 'inline') {
            context.emitCompact('agent:started', record, timestamp, compactCode.mode('inline'));
          } else {
            context.emit(
              'agent:started',
              {
                agent: record.name,
                timestamp,
                mode: runtime.mode,
                pid: runtime.pid,
                threadId: runtime.threadId,
              },
              record,
            );
          }
          if (reach(record, 'started')) context.progressed(record);
        } else if (message.phase === 'ready') {
          this.#advance('ready', timestamp);
          context.emitCompact('agent:ready', record, timestamp, 0);
          if (reach(record, 'ready')) context.progressed(record);
        } else if (message.phase === 'running') {
          this.#advance('running', timestamp);
          context.emitCompact('agent:running', record, timestamp, 0);
        } else if (record.status !== 'stopping') {
          context.transition(record, 'stopping', timestamp, {
            status: 'stopping',
            since: timestamp,
            forced: false,
          });
          context.emit('agent:stopping', { agent: record.name, timestamp, forced: false }, record);
        }
        return;
      }
      case 'error':
        this.#reportError(message.error, message.phase);
        return;
      case 'done':
        this.#outcome = message;
        return;
      case 'log':
        context.logSink.write(message.line.endsWith('\n') ? message.line : `${message.line}\n`);
        return;
      case 'heartbeat':
        context.heartbeat(record, message.sequence);
        return;
      case 'heartbeats':
        for (const sequence of message.sequences) context.heartbeat(record, sequence);
        return;
      case 'nested':
        context.nested(record, message.event);
        return;
      case 'finished':
        return; // the runtimes' business: they end the run on it
      case 'event':
        return; // process mirrors handle these before they get here
    }
  }

  exit(exit: ExitInfo): void {
    if (this.#over) return;
    this.#over = true;
    const record = this.#record;
    const context = this.#context;
    const extras = record.extras;
    let killReason: Error | undefined;
    if (extras) {
      clearTimeout(extras.stopTimer);
      extras.stopTimer = undefined;
      killReason = extras.killReason;
      extras.killReason = undefined;
    }
    if (exit.error && !this.#firstError) this.#reportError(serializeError(exit.error), 'runtime');
    if (killReason && !this.#firstError) this.#reportError(serializeError(killReason), 'runtime');
    const since = now();
    const outcome = this.#outcome;
    // Completed: no state object (it is made if someone reads it). Otherwise stopped or failed.
    const completed = outcome?.outcome === 'completed' && !this.#firstError;
    const ended = completed ? undefined : endState(record.name, exit, outcome, this.#firstError, since);
    if (ended?.status === 'failed' && !this.#firstError) this.#reportError(ended.error, 'runtime');
    record.result = completed ? outcome.result : undefined;
    if (completed) reach(record, 'completed');
    const durationMs = performance.now() - this.#launchedAt;
    context.transition(record, ended ? ended.status : 'completed', since, ended);
    const failed = ended?.status === 'failed' ? ended : undefined;
    context.emit(
      'agent:terminated',
      {
        agent: record.name,
        timestamp: since,
        reason: ended ? ended.reason : 'completed',
        exitCode: failed ? failed.exitCode : exit.exitCode,
        signal: failed ? failed.signal : exit.signal,
        result: record.result,
        error: failed?.error,
        durationMs,
      },
      record,
    );
    const exited = record.runtime?.exited;
    if (exited) context.teardown(exited);
    record.runtime = undefined;
    // An abandoned (killed) inline agent may still be using its events: they stay as they are.
    if (!exit.forced) settleEvents(record);
    context.finished(record, durationMs);
  }

  #reportError(error: SerializedError, phase: OrchestratorEventMap['agent:error']['phase']): void {
    const record = this.#record;
    this.#firstError ??= error;
    record.lastError = error;
    this.#context.emit('agent:error', { agent: record.name, timestamp: now(), phase, error }, record);
  }

  /** On to `ready` or `running`, unless a stop came first. */
  #advance(status: 'ready' | 'running', since: number): void {
    const record = this.#record;
    if (record.status !== 'stopping') this.#context.transition(record, status, since);
  }
}

/** How a run that did not complete ended: stopped or failed. */
function endState(
  agent: string,
  exit: ExitInfo,
  outcome: Extract<ChildMessage, { type: 'done' }> | undefined,
  firstError: SerializedError | undefined,
  since: number,
): Extract<AgentState, { status: 'stopped' | 'failed' }> {
  const failed = (reason: 'failed' | 'killed', error: SerializedError) =>
    ({ status: 'failed', since, reason, error, exitCode: exit.exitCode, signal: exit.signal }) as const;
  if (outcome && !firstError) {
    // A kill that lands as the agent was stopping anyway is still the kill that was asked for.
    if (outcome.outcome === 'stopped')
      return { status: 'stopped', since, reason: exit.forced ? 'killed' : 'stopped' };
  }
  if (firstError) return failed('failed', firstError);
  if (exit.forced) return { status: 'stopped', since, reason: 'killed' };
  if (exit.signal) return failed('killed', serializeError(new AgentKilledError(agent, exit.signal)));
  if (exit.exitCode !== null && exit.exitCode !== 0) {
    return failed('failed', serializeError(new AgentExitError(agent, exit.exitCode)));
  }
  return failed(
    'failed',
    serializeError(
      new OrchestratorError('ERR_AGENT_CRASHED', `Agent "${agent}" ended without reporting an outcome.`),
    ),
  );
}
