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
import { type OutOfBand, OutOfBandFailure, runLifecycle } from './lifecycle.ts';
import type { AgentPlugin } from './plugin.ts';
import { nextTurn } from './yield-to-loop.ts';

export interface AgentSessionOptions {
  AgentClass: AgentClass;
  name: string;
  mode: AgentMode;
  threadId: number | undefined;
  config: Record<string, unknown>;
  plugins: readonly AgentPlugin[];
  events: AgentEvents;
  logLevel: string;
  logSink: LogSink;
  /** The agent's `signal`: aborted on a stop (or by the runtime when it abandons the agent). */
  abort: AbortController;
  report: (message: ChildMessage) => void;
}

/** The session the runtime holds: the lifecycle's end, and where out-of-band failures go. */
export interface AgentSession {
  /** The agent failed outside its own call stack. */
  fail(error: unknown): void;
  /** Settles one event-loop turn after the lifecycle ended, so late rejections are still caught. */
  readonly finished: Promise<void>;
}

// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const startAgentSession = (function (options: AgentSessionOptions): AgentSession {
  return new Session(options);
});

/**
 * One run on the side where it executes. The session is also the agent's context (what it is
 * built from: its logger, heartbeats and forwarded events go through it) and the lifecycle's
 * out-of-band latch: one object, where a context literal, five closures, a latch and a handle
 * were made for every run.
 */
class Session implements AgentSession, AgentContext, OutOfBand {
  readonly name: string;
  readonly mode: AgentMode;
  readonly config: Record<string, unknown>;
  readonly events: AgentEvents;
  readonly signal: AbortSignal;
  readonly plugins: readonly AgentPlugin[];
  readonly finished: Promise<void>;
  /** The first out-of-band failure. */
  failure: OutOfBandFailure | undefined;
  readonly #options: AgentSessionOptions;
  /** Rejected with the first out-of-band failure: made only when work is asynchronous (`race`). */
  #failed: Promise<never> | undefined;
  #reject: ((failure: OutOfBandFailure) => void) | undefined;
  /** The lifecycle is over: failures from here on are reported as unhandled. */
  #lifecycleDone = false;
  #beats = 0;

  constructor(options: AgentSessionOptions) {
    this.name = options.name;
    this.mode = options.mode;
    this.config = options.config;
    this.events = options.events;
    this.signal = options.abort.signal;
    this.plugins = options.plugins;
    this.#options = options;
    let finished: Promise<void>;
    try {
      const agent = new options.AgentClass(this as unknown as AgentContext<never>);
      const { events, abort, report } = options;
      // Nothing left to wait for when every hook returned at once: just the one turn. The
      // lifecycle reports its own failures and never rejects; were it to, the run still ends.
      const lifecycle = runLifecycle({ agent, events, abort, outOfBand: this, report });
      finished = lifecycle
        ? lifecycle.then(
            () => this.#over(),
            (error: unknown) => this.#crashed(error),
          )
        : this.#over();
    } catch (error) {
      finished = this.#crashed(error);
    }
    this.finished = finished;
  }

  createLogger(): Logger {
    const { name, mode, logLevel, logSink, threadId } = this.#options;
    return createAgentLogger(name, mode, logLevel, logSink, threadId);
  }

  heartbeat(): void {
    if (!this.#lifecycleDone) this.#options.report({ type: 'heartbeat', sequence: ++this.#beats });
  }

  forward(event: { type: string; payload: Record<string, unknown> }): void {
    if (!this.#lifecycleDone) this.#options.report({ type: 'nested', event });
  }

  fail(error: unknown): void {
    // After the lifecycle ended (a rejection surfacing on the next turn) it is still a failure.
    if (this.#lifecycleDone) {
      this.#options.report({ type: 'error', phase: 'unhandled', error: serializeError(error) });
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

  /** The lifecycle is over: failures from here on are reported as unhandled, after one more turn. */
  #over(): Promise<void> {
    this.#lifecycleDone = true;
    return nextTurn();
  }

  #crashed(error: unknown): Promise<void> {
    const { report } = this.#options;
    report({ type: 'error', phase: 'runtime', error: serializeError(error) });
    report({ type: 'done', outcome: 'failed', result: undefined });
    return this.#over();
  }
}
