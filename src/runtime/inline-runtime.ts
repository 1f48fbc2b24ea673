import { type AgentSession, startAgentSession } from '../agents/agent-session.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import type { AgentRuntime, LaunchRequest, RuntimeHandlers } from './agent-runtime.ts';
import { type InlineRun, leaveGuard, runGuarded } from './inline-guard.ts';

/** Runs the agent on the orchestrator's own event loop: no isolation, no start-up cost. */
export function launchInline(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  return new InlineRuntime(request, handlers);
}

/**
 * One inline run: the runtime the orchestrator holds, and the run the inline guard traces failures
 * to. One object with its state in fields, where closures over a shared scope cost a context and
 * a function each, for every one of 100,000 short agents.
 */
class InlineRuntime implements AgentRuntime, InlineRun {
  readonly mode = 'inline';
  readonly pid = process.pid;
  readonly threadId = undefined;
  /** Nothing outlives the run. */
  readonly exited = undefined;
  readonly name: string;
  readonly startIn: LaunchRequest['startIn'];
  readonly #request: LaunchRequest;
  readonly #handlers: RuntimeHandlers;
  readonly #abort = new AbortController();
  #ended = false;
  #failed = false;
  #exitCode: number | null = null;
  #session: AgentSession | undefined;

  constructor(request: LaunchRequest, handlers: RuntimeHandlers) {
    this.name = request.spec.name;
    this.startIn = request.startIn;
    this.#request = request;
    this.#handlers = handlers;
    // The session starts a microtask later: launch returns (and the runtime is recorded) before
    // the first report.
    runGuarded(this);
  }

  /** The agent failed outside its own call stack (the inline guard). */
  fail(error: Error): void {
    if ('exitCode' in error && typeof error.exitCode === 'number') this.#exitCode = error.exitCode;
    this.#session?.fail(error);
  }

  kill(): void {
    // An inline agent cannot be pre-empted: abandon it, so its slot and its join are freed now.
    this.#abort.abort(new Error(`Agent "${this.name}" was killed.`));
    this.#end(true, null);
  }

  /** Starts the agent's session, inside the run's context (the inline guard calls it). */
  start(): void {
    const { spec, AgentClass, plugins, events, logSink } = this.#request;
    this.#session = startAgentSession({
      AgentClass,
      name: spec.name,
      mode: 'inline',
      threadId: undefined,
      config: spec.config,
      plugins,
      events,
      logLevel: spec.logLevel,
      logSink,
      abort: this.#abort,
      report: (message: ChildMessage) => {
        if (message.type === 'error') this.#failed = true;
        if (!this.#ended) this.#handlers.message(message);
      },
    });
    // The session never rejects: it reports its failures.
    void this.#session.finished.then(() => {
      leaveGuard();
      this.#end(false, this.#exitCode ?? (this.#failed ? null : 0));
    });
  }

  #end(forced: boolean, code: number | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers.exit({ exitCode: code, signal: null, forced });
  }
}
