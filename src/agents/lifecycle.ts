import { serializeError } from '../errors.ts';
import type { AgentEventKey, AgentEvents } from '../events/agent-events.ts';
import type { LifecyclePhase } from '../events/event-map.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import { isThenable } from '../thenable.ts';
import type { BaseAgent } from './base-agent.ts';
import type { AgentPlugin } from './plugin.ts';
import type { RunAbort } from './run-abort.ts';

/*
 * EAGERLY COMPILED: the big functions every thread and process runs once per agent (the host's
 * serveAgent and host, startAgentSession, runLifecycle) are function expressions in parentheses.
 * V8 compiles such a function with its module, so the code cache Node's compile cache writes
 * (right after a module is compiled, before it runs) holds its bytecode. A function
 * declaration is compiled on its first call instead, anew in every fresh isolate: these cost
 * ~0.4 ms that way in each fresh thread or process here. (Arrow functions get no such hint.)
 * startAgentSession and runLifecycle are now thin wrappers around the Session and Lifecycle
 * classes, whose small methods are compiled on first call: fresh thread agents alternated
 * between the builds before and after showed no cost (0.98–1.00 of the time).
 */

/** What `OutOfBand.race` rejects with: the agent failed outside its own call stack. */
export class OutOfBandFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** Failures outside the agent's call stack (an unhandled rejection; `process.exit` inline). */
export interface OutOfBand {
  /** The first such failure, once there is one. */
  readonly failure: OutOfBandFailure | undefined;
  /** `work`, unless such a failure comes first: then rejects with it. */
  race<T>(work: PromiseLike<T>): Promise<T>;
}

/** What a lifecycle runs with: the agent's session (src/agents/agent-session.ts). */
export interface LifecycleHost extends OutOfBand {
  /** Its control and state events; `stopRequested` is set by the orchestrator to ask it (alone) to stop. */
  readonly events: AgentEvents;
  /** Aborted when a stop is requested; the agent's `signal`. */
  readonly abort: RunAbort;
  /** Where lifecycle reports go: straight to the orchestrator (inline) or over the protocol. */
  report(message: ChildMessage): void;
}

/**
 * Drives one agent through its lifecycle, the same way in every mode:
 * started -> setup gate -> plugins -> setup -> ready -> execute gate -> work -> onClose -> plugins released -> closed.
 * Setup and work end early when the agent fails outside its call stack (`host.failure`).
 * Returns `undefined` when the agent is closed already (nothing it did was asynchronous), else a
 * promise that resolves once it is. Never rejects (failures are reported), unless reporting fails.
 */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const runLifecycle = (function (agent: BaseAgent, host: LifecycleHost): Promise<void> | undefined {
  return new Lifecycle(agent, host).start();
});

// The steps, in order. A step calls one hook (or waits at a gate); `#done` takes what it gave.
const SETUP_GATE = 0;
const PLUGINS = 1;
const SETUP = 2;
const EXECUTE_GATE = 3;
const WORK = 4;
const CLOSE = 5;
const RELEASE = 6;
const END = 7;
const CLOSED = 8;
const OVER = 9;
/** What a step gives when it only moved on (no hook to call): nothing for `#done` to take. */
const MOVED = Symbol('moved');

/**
 * One run of the lifecycle, as steps that follow one another at once while nothing is
 * asynchronous, and after the promise when a hook returns one (or a gate must be waited for).
 * An async function did the same with one frame, a promise and three closures per run even when
 * every hook returned at once (most of ~0.8 KB a run, for 100,000 short inline agents).
 *
 * Setup and work end early when the agent fails outside its call stack; onStop, onClose and
 * release always run. The stop watch (the orchestrator's stop request, or the agent's own `stop`
 * event) is only needed while the lifecycle waits: nothing can ask for a stop while it runs
 * synchronously, so it starts with the first wait.
 */
class Lifecycle {
  readonly #agent: BaseAgent;
  readonly #events: AgentEvents;
  readonly #host: LifecycleHost;
  #step = SETUP_GATE;
  /** Where a failure of the current step is reported. */
  #phase: LifecyclePhase = 'setup';
  #failed = false;
  #result: unknown;
  /** The plugin the plugins and release steps are at. */
  #plugin = 0;
  /** Plugins initialised; made only for an agent with plugins. */
  #initialised: AgentPlugin[] | undefined;
  #endWatch: (() => void) | undefined;
  /** The state of the gate ahead (setup, then execute) when the agent said it reached it. */
  #gate: number | undefined;
  #stopping: Promise<void> | undefined;
  /** Settles the lifecycle's promise: made only once it had to wait. */
  #settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(agent: BaseAgent, host: LifecycleHost) {
    this.#agent = agent;
    this.#host = host;
    this.#events = host.events;
  }

  start(): Promise<void> | undefined {
    // Marked before the agent says it reached the gate: a set from then on releases it, even one
    // cleared again before its wait begins (another thread can see `started` first).
    this.#gate = this.#events.mark('setup');
    this.#events.set('started');
    this.#host.report(STARTED);
    this.#run();
    if (this.#step === OVER) return undefined;
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  /** Runs steps until one must wait (then goes on when it settles) or the lifecycle is over. */
  #run(): void {
    while (this.#step !== OVER) {
      try {
        const given = this.#begin();
        if (given === MOVED) continue;
        if (isThenable(given)) {
          this.#watchStop();
          Promise.resolve(given).then(
            (value) => this.#resume(value, false),
            (error: unknown) => this.#resume(error, true),
          );
          return;
        }
        this.#done(given);
      } catch (error) {
        this.#fault(error);
      }
    }
    this.#settle?.resolve();
  }

  /** The step that waited settled: take what it gave (as `#run` does at once), then go on. */
  #resume(settled: unknown, rejected: boolean): void {
    try {
      try {
        if (rejected) this.#fault(settled);
        else this.#done(settled);
      } catch (error) {
        this.#fault(error);
      }
      this.#run();
    } catch (error) {
      this.#settle!.reject(error); // only our own reporting failing gets here
    }
  }

  /** Starts the current step: what it gives (a value, or a promise of one), or `MOVED`. */
  #begin(): unknown {
    const agent = this.#agent;
    const events = this.#events;
    switch (this.#step) {
      case SETUP_GATE:
        return events.isSet('setup') || events.waitSince('setup', this.#gate, this.#host.abort.signal);
      case PLUGINS:
        this.#phase = 'plugins';
        if (this.#plugin < agent.plugins.length)
          return this.#guard(agent.plugins[this.#plugin]!.init?.(agent));
        this.#step = SETUP;
        return MOVED;
      case SETUP:
        this.#phase = 'setup';
        return this.#guard(agent.setup());
      case EXECUTE_GATE:
        return events.isSet('execute') || events.waitSince('execute', this.#gate, this.#host.abort.signal);
      case WORK:
        this.#phase = 'work';
        this.#host.report(RUNNING);
        return this.#guard(agent.run());
      case CLOSE:
        return agent.onClose();
      case RELEASE: {
        const plugins = this.#initialised;
        if (plugins && this.#plugin < plugins.length)
          return plugins[plugins.length - 1 - this.#plugin]!.release?.(agent);
        this.#step = END;
        return MOVED;
      }
      case END:
        this.#endWatch?.();
        this.#endWatch = undefined;
        return this.#stopping;
      default: {
        events.set('closed');
        const outcome = this.#failed ? 'failed' : this.#host.abort.aborted ? 'stopped' : 'completed';
        this.#host.report({
          type: 'done',
          outcome,
          result: outcome === 'completed' ? this.#result : undefined,
        });
        this.#step = OVER;
        return MOVED;
      }
    }
  }

  /** The current step gave `value`: on to the next. */
  #done(value: unknown): void {
    switch (this.#step) {
      case SETUP_GATE:
        this.#step = value ? PLUGINS : CLOSE;
        return;
      case PLUGINS:
        this.#initialised ??= [];
        this.#initialised.push(this.#agent.plugins[this.#plugin++]!);
        return;
      case SETUP:
        this.#gate = this.#events.mark('execute'); // as for `started` and the setup gate
        this.#events.set('ready');
        this.#host.report(READY);
        this.#step = EXECUTE_GATE;
        return;
      case EXECUTE_GATE:
        this.#step = value ? WORK : CLOSE;
        return;
      case WORK:
        this.#result = value;
        this.#step = CLOSE;
        return;
      case CLOSE:
        this.#plugin = 0;
        this.#step = RELEASE;
        return;
      case RELEASE:
        this.#plugin++;
        return;
      default:
        this.#step = CLOSED;
    }
  }

  /** The current step failed (threw, or its promise rejected). */
  #fault(error: unknown): void {
    const step = this.#step;
    if (step <= WORK) {
      if (error instanceof OutOfBandFailure) this.#fail('unhandled', error.error);
      else if (this.#host.failure) this.#fail('unhandled', this.#host.failure.error);
      else this.#fail(this.#phase, error);
      this.#step = CLOSE;
    } else if (step === CLOSE) {
      this.#fail('close', error);
      this.#plugin = 0;
      this.#step = RELEASE;
    } else if (step === RELEASE) {
      this.#fail('plugins', error);
      this.#plugin++;
    } else {
      throw error; // our own reporting failed: the session reports the run as crashed
    }
  }

  #fail(phase: LifecyclePhase, error: unknown): void {
    this.#failed = true;
    this.#host.report({ type: 'error', phase, error: serializeError(error) });
  }

  /** What a hook returned, unless the agent already failed outside its call stack (then throws that). */
  #guard(value: unknown): unknown {
    const outOfBand = this.#host;
    if (outOfBand.failure) throw outOfBand.failure;
    // Work that returned no promise (of any kind) has nothing left to race.
    return isThenable(value) ? outOfBand.race(value) : value;
  }

  /** The lifecycle waits: from now until it ends, a stop request aborts the agent and calls onStop. */
  #watchStop(): void {
    if (this.#endWatch || this.#step >= END) return;
    this.#endWatch = this.#events.whenAnySet(STOP_EVENTS, () => {
      this.#stopping = this.#stop();
    });
  }

  async #stop(): Promise<void> {
    this.#host.abort.abort(new Error(`Agent "${this.#agent.name}" was asked to stop.`));
    this.#host.report(STOPPING);
    try {
      await this.#agent.onStop();
    } catch (error) {
      this.#fail('stop', error);
    }
  }
}

/** What ends the work early: the orchestrator's stop request, or the agent's own `stop` event. */
const STOP_EVENTS: readonly AgentEventKey[] = ['stopRequested', 'stop'];

// The lifecycle's reports that carry nothing of their own: one object each, never changed.
const STARTED: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'started' });
const READY: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'ready' });
const RUNNING: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'running' });
const STOPPING: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'stopping' });
