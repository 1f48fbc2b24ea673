/**
 * One agent's whole run on the side where it executes, the same for every mode: build the
 * instance, drive its lifecycle, and take failures that happen outside its call stack
 * (unhandled rejections, `process.exit` inline), also those that surface after the work returned.
 */
import { serializeError } from '../errors.ts';
import type { AgentEvents } from '../events/agent-events.ts';
import { createAgentLogger, type LogSink } from '../logging/logger.ts';
import type { AgentMode, ChildMessage } from '../protocol/messages.ts';
import type { AgentClass } from './base-agent.ts';
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

export interface AgentSession {
  /** The agent failed outside its own call stack. */
  fail(error: unknown): void;
  /** Settles one event-loop turn after the lifecycle ended, so late rejections are still caught. */
  finished: Promise<void>;
}

// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const startAgentSession = (function (options: AgentSessionOptions): AgentSession {
  const { name, mode, events, abort, report } = options;
  const outOfBand = new OutOfBandLatch();
  let lifecycleDone = false;
  let beats = 0;

  // The lifecycle is over: failures from here on are reported as unhandled, after one more turn.
  const over = () => {
    lifecycleDone = true;
    return nextTurn();
  };
  const crashed = (error: unknown) => {
    report({ type: 'error', phase: 'runtime', error: serializeError(error) });
    report({ type: 'done', outcome: 'failed', result: undefined });
    return over();
  };
  // No async function: its frame would be one more object for every run.
  let finished: Promise<void>;
  try {
    const agent = new options.AgentClass({
      name,
      mode,
      config: options.config as never,
      events,
      signal: abort.signal,
      plugins: options.plugins,
      createLogger: () => createAgentLogger(name, mode, options.logLevel, options.logSink, options.threadId),
      heartbeat: () => {
        if (!lifecycleDone) report({ type: 'heartbeat', sequence: ++beats });
      },
      forward: (event) => {
        if (!lifecycleDone) report({ type: 'nested', event });
      },
    });
    // The lifecycle reports its own failures and never rejects; were it to, the run still ends.
    // Nothing left to wait for when every hook returned at once: just the one turn.
    const lifecycle = runLifecycle({ agent, events, abort, outOfBand, report });
    finished = lifecycle ? lifecycle.then(over, crashed) : over();
  } catch (error) {
    finished = crashed(error);
  }

  return {
    fail(error) {
      // After the lifecycle ended (a rejection surfacing on the next turn) it is still a failure.
      if (lifecycleDone) report({ type: 'error', phase: 'unhandled', error: serializeError(error) });
      else outOfBand.fail(error);
    },
    finished,
  };
});

/** Holds the first out-of-band failure; the promise `race` needs is made only when work is async. */
class OutOfBandLatch implements OutOfBand {
  failure: OutOfBandFailure | undefined;
  #failed: Promise<never> | undefined;
  #reject: ((failure: OutOfBandFailure) => void) | undefined;

  fail(error: unknown): void {
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
}
