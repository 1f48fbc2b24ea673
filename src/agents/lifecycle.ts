import { serializeError } from '../errors.ts';
import type { AgentEventKey, AgentEvents } from '../events/agent-events.ts';
import type { LifecyclePhase } from '../events/event-map.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import { isThenable } from '../thenable.ts';
import type { BaseAgent } from './base-agent.ts';
import type { AgentPlugin } from './plugin.ts';

/*
 * EAGERLY COMPILED: the big functions every thread and process runs once per agent (the host's
 * serveAgent and host, startAgentSession, runLifecycle) are function expressions in parentheses.
 * V8 compiles such a function with its module, so the code cache Node's compile cache writes
 * (right after a module is compiled, before it runs) holds its bytecode. A function
 * declaration is compiled on its first call instead, anew in every fresh isolate: these cost
 * ~0.4 ms that way in each fresh thread or process here. (Arrow functions get no such hint.)
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

export interface LifecycleOptions {
  agent: BaseAgent;
  /** Its control and state events; `stopRequested` is set by the orchestrator to ask it (alone) to stop. */
  events: AgentEvents;
  /** Aborted when a stop is requested; the agent's `signal`. */
  abort: AbortController;
  /** Where lifecycle reports go: straight to the orchestrator (inline) or over the protocol. */
  report: (message: ChildMessage) => void;
  /** Failures outside the agent's call stack: setup and work end early on one. */
  outOfBand: OutOfBand;
}

/**
 * Drives one agent through its lifecycle, the same way in every mode:
 * started -> setup gate -> plugins -> setup -> ready -> execute gate -> work -> onClose -> plugins released -> closed.
 * Resolves when the agent is closed; never rejects (failures are reported).
 */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const runLifecycle = (async function ({
  agent,
  events,
  abort,
  report,
  outOfBand,
}: LifecycleOptions): Promise<void> {
  let failed = false;
  let result: unknown;
  const fail = (phase: LifecyclePhase, error: unknown) => {
    failed = true;
    report({ type: 'error', phase, error: serializeError(error) });
  };
  // Setup and work end early when the agent fails outside its call stack; onStop, onClose and
  // release always run. Work that returned no promise (of any kind) has nothing left to race.
  const guard = (value: unknown): unknown => {
    if (outOfBand.failure) throw outOfBand.failure;
    return isThenable(value) ? outOfBand.race(value) : value;
  };

  // The first of the orchestrator's stop request and the agent's own `stop` event, until closing.
  let stopping: Promise<void> | undefined;
  const endWatch = events.whenAnySet(STOP_EVENTS, () => {
    stopping = (async () => {
      abort.abort(new Error(`Agent "${agent.name}" was asked to stop.`));
      report(STOPPING);
      try {
        await agent.onStop();
      } catch (error) {
        fail('stop', error);
      }
    })();
  });

  events.set('started');
  report(STARTED);
  // Made only for an agent with plugins.
  let initialised: AgentPlugin[] | undefined;
  let phase: LifecyclePhase = 'setup';
  try {
    if (events.isSet('setup') || (await events.get('setup').wait({ signal: abort.signal }))) {
      phase = 'plugins';
      for (const plugin of agent.plugins) {
        await guard(plugin.init?.(agent));
        initialised ??= [];
        initialised.push(plugin);
      }
      phase = 'setup';
      const setup = guard(agent.setup());
      if (isThenable(setup)) await setup;
      events.set('ready');
      report(READY);
      if (events.isSet('execute') || (await events.get('execute').wait({ signal: abort.signal }))) {
        phase = 'work';
        report(RUNNING);
        result = guard(agent.run());
        if (isThenable(result)) result = await result;
      }
    }
  } catch (error) {
    if (error instanceof OutOfBandFailure) fail('unhandled', error.error);
    else if (outOfBand.failure) fail('unhandled', outOfBand.failure.error);
    else fail(phase, error);
  }

  try {
    const closing = agent.onClose();
    if (isThenable(closing)) await closing;
  } catch (error) {
    fail('close', error);
  }
  for (const plugin of initialised?.reverse() ?? NO_PLUGINS) {
    try {
      await plugin.release?.(agent);
    } catch (error) {
      fail('plugins', error);
    }
  }
  endWatch();
  if (stopping) await stopping;
  events.set('closed');
  const outcome = failed ? 'failed' : abort.signal.aborted ? 'stopped' : 'completed';
  report({ type: 'done', outcome, result: outcome === 'completed' ? result : undefined });
});

const NO_PLUGINS: readonly AgentPlugin[] = Object.freeze([]);

/** What ends the work early: the orchestrator's stop request, or the agent's own `stop` event. */
const STOP_EVENTS: readonly AgentEventKey[] = ['stopRequested', 'stop'];

// The lifecycle's reports that carry nothing of their own: one object each, never changed.
const STARTED: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'started' });
const READY: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'ready' });
const RUNNING: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'running' });
const STOPPING: ChildMessage = Object.freeze({ type: 'lifecycle', phase: 'stopping' });
