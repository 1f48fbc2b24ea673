import { type AgentSession, type SessionHost, startAgentSession } from '../agents/agent-session.ts';
import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import { RunAbort } from '../agents/run-abort.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import type { LogSink } from '../logging/logger.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import type { AgentRuntime, LaunchRequest, RuntimeHandlers } from './agent-runtime.ts';
import { type InlineRun, lifecycleEnded, runGuarded } from './inline-guard.ts';

/** Runs the agent on the orchestrator's own event loop: no isolation, no start-up cost. */
export function launchInline(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  return new InlineRuntime(request, handlers);
}

/**
 * One inline run: the runtime the orchestrator holds, the run the inline guard traces failures
 * to, and the host its session runs for and reports to. One object with its state in fields,
 * where closures over a shared scope and option records cost an object each, for every one of
 * 100,000 short agents.
 */
class InlineRuntime implements AgentRuntime, InlineRun, SessionHost {
  readonly abort = new RunAbort();
  readonly #request: LaunchRequest;
  readonly #handlers: RuntimeHandlers;
  #ended = false;
  #failed = false;
  #exitCode: number | null = null;
  #session: AgentSession | undefined;

  constructor(request: LaunchRequest, handlers: RuntimeHandlers) {
    this.#request = request;
    this.#handlers = handlers;
    // The session starts a microtask later: launch returns (and the runtime is recorded) before
    // the first report.
    runGuarded(this);
  }

  // The same for every inline run: read off the prototype, not kept by each run.
  get mode(): 'inline' {
    return 'inline';
  }
  get pid(): number {
    return process.pid;
  }
  get threadId(): undefined {
    return undefined;
  }
  /** Nothing outlives the run. */
  get exited(): undefined {
    return undefined;
  }

  // What the guard and the session read (InlineRun, SessionHost), from the launch request.
  get name(): string {
    return this.#request.name;
  }
  get startIn(): LaunchRequest['startIn'] {
    return this.#request.startIn;
  }
  get AgentClass(): AgentClass {
    return this.#request.AgentClass;
  }
  get config(): Record<string, unknown> {
    return this.#request.config;
  }
  get plugins(): readonly AgentPlugin[] {
    return this.#request.plugins;
  }
  get events(): AgentEvents {
    return this.#request.events;
  }
  get logLevel(): string {
    return this.#request.logLevel;
  }
  get logSink(): LogSink {
    return this.#request.logSink;
  }

  /** The agent failed outside its own call stack (the inline guard). */
  fail(error: Error): void {
    if ('exitCode' in error && typeof error.exitCode === 'number') this.#exitCode = error.exitCode;
    this.#session?.fail(error);
  }

  kill(): void {
    // An inline agent cannot be pre-empted: abandon it, so its slot and its join are freed now.
    this.abort.abort(new Error(`Agent "${this.name}" was killed.`));
    this.#end(true, null);
  }

  /** Starts the agent's session, inside the run's context (the inline guard calls it). */
  start(): void {
    this.#session = startAgentSession(this);
  }

  report(message: ChildMessage): void {
    if (message.type === 'error') this.#failed = true;
    if (!this.#ended) this.#handlers.message(message);
  }

  /** The session's lifecycle is over: the guard ends the run a turn later (`ended`). */
  over(): void {
    lifecycleEnded(this);
  }

  ended(): void {
    this.#end(false, this.#exitCode ?? (this.#failed ? null : 0));
  }

  #end(forced: boolean, code: number | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers.exit({ exitCode: code, signal: null, forced });
  }
}
