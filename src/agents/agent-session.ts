/**
 * One agent's whole run on the side where it executes, the same for every mode: build the
 * instance, drive its lifecycle, and take failures that happen outside its call stack
 * (unhandled rejections, `process.exit` inline), also those that surface after the work returned.
 */

import type { Logger } from 'pino';
import { serializeError } from '../errors.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import { createAgentLogger, type LogSink } from '../logging/logger.ts';
import type { AgentMode, ChildMessage } from '../protocol/messages.ts';
import type { AgentClass, AgentContext } from './base-agent.ts';
import { type LifecycleHost, OutOfBandFailure, runLifecycle } from './lifecycle.ts';
import type { AgentPlugin } from './plugin.ts';
import type { RunAbort } from './run-abort.ts';

/**
 * What a session runs for and reports to: the runtime's side of one run (inline, the runtime
 * itself; in a thread or process, the agent host). Read once as the session starts, except
 * `report` and `over`.
 */
export interface SessionHost {
  readonly AgentClass: AgentClass;
  readonly name: string;
  readonly mode: AgentMode;
  readonly threadId: number | undefined;
  readonly config: Record<string, unknown>;
  readonly plugins: readonly AgentPlugin[];
  readonly events: AgentEvents;
  readonly logLevel: string;
  readonly logSink: LogSink;
  /** The agent's `signal`: aborted on a stop (or by the runtime when it abandons the agent). */
  readonly abort: RunAbort;
  report(message: ChildMessage): void;
  /**
   * The lifecycle is over. The run ends one turn of the event loop later (`nextTurn`, or the
   * inline guard's turn), so that a rejection nobody handled, surfacing once the microtasks have
   * run, still fails it: until then `fail` reports it.
   */
  over(): void;
}

/** The session the runtime holds: where out-of-band failures go. */
export interface AgentSession {
  /** The agent failed outside its own call stack. */
  fail(error: unknown): void;
}

// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const startAgentSession = (function (host: SessionHost): AgentSession {
  return new Session(host);
});

/**
 * One run on the side where it executes. The session is also the agent's context (what it is
 * built from: its logger, heartbeats and forwarded events go through it) and what its lifecycle
 * reports through, with the out-of-band latch: one object, where a context literal, five
 * closures, a latch, a handle and the lifecycle's options were made for every run.
 */
class Session implements AgentSession, AgentContext, LifecycleHost {
  readonly name: string;
  readonly mode: AgentMode;
  readonly config: Record<string, unknown>;
  readonly events: AgentEvents;
  readonly plugins: readonly AgentPlugin[];
  /** The first out-of-band failure. */
  failure: OutOfBandFailure | undefined;
  readonly #host: SessionHost;
  /** Rejected with the first out-of-band failure: made only when work is asynchronous (`race`). */
  #failed: Promise<never> | undefined;
  #reject: ((failure: OutOfBandFailure) => void) | undefined;
  /** The lifecycle is over: failures from here on are reported as unhandled. */
  #lifecycleDone = false;
  #beats = 0;

  constructor(host: SessionHost) {
    this.name = host.name;
    this.mode = host.mode;
    this.config = host.config;
    this.events = host.events;
    this.plugins = host.plugins;
    this.#host = host;
    try {
      const agent = new host.AgentClass(this as unknown as AgentContext<never>);
      // Nothing left to wait for when every hook returned at once. The lifecycle reports its own
      // failures and never rejects; were it to, the run still ends.
      const lifecycle = runLifecycle(agent, this);
      if (lifecycle) {
        void lifecycle.then(
          () => this.#over(),
          (error: unknown) => this.#crashed(error),
        );
      } else {
        this.#over();
      }
    } catch (error) {
      this.#crashed(error);
    }
  }

  get abort(): RunAbort {
    return this.#host.abort;
  }

  /** Made when first read (`RunAbort`). */
  get signal(): AbortSignal {
    return this.#host.abort.signal;
  }

  report(message: ChildMessage): void {
    this.#host.report(message);
  }

  createLogger(): Logger {
    const { name, mode, logLevel, logSink, threadId } = this.#host;
    return createAgentLogger(name, mode, logLevel, logSink, threadId);
  }

  heartbeat(): void {
    if (!this.#lifecycleDone) this.#host.report({ type: 'heartbeat', sequence: ++this.#beats });
  }

  forward(event: { type: string; payload: Record<string, unknown> }): void {
    if (!this.#lifecycleDone) this.#host.report({ type: 'nested', event });
  }

  fail(error: unknown): void {
    // After the lifecycle ended (a rejection surfacing on the next turn) it is still a failure.
    if (this.#lifecycleDone) {
      this.#host.report({ type: 'error', phase: 'unhandled', error: serializeError(error) });
      return;
    }
    if (this.failure) return;
    this.failure = new OutOfBandFailure(error);
    this.#reject?.(this.failure);
  }

  race<T>(work: PromiseLike<T>): Promise<T> {
    if (!this.#failed) {
      this.#failed = new Promise<never>((_, reject) => {
        this.#reject = reject;
      });
      this.#failed.catch(() => {}); // seen through the races; never an unhandled rejection
      if (this.failure) this.#reject!(this.failure);
    }
    return Promise.race([work, this.#failed]);
  }

  /** The lifecycle is over: failures from here on are reported as unhandled, until the host's turn ends the run. */
  #over(): void {
    this.#lifecycleDone = true;
    this.#host.over();
  }

  #crashed(error: unknown): void {
    this.#host.report({ type: 'error', phase: 'runtime', error: serializeError(error) });
    this.#host.report({ type: 'done', outcome: 'failed', result: undefined });
    this.#over();
  }
}
