import { serializeError } from '../errors.ts';
import type { LifecyclePhase } from '../events/event-map.ts';
import type { SharedEvent } from '../events/shared-event.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import type { BaseAgent } from './base-agent.ts';
import type { AgentPlugin } from './plugin.ts';

/*
 * EAGERLY COMPILED: the big functions every thread and process runs once per agent (the host's
 * serveAgent and host, startAgentSession, runLifecycle, watchForStop) are function expressions in
 * parentheses. V8 compiles such a function with its module, so the code cache Node's compile cache
 * writes (right after a module is compiled, before it runs) holds its bytecode. A function
 * declaration is compiled on its first call instead, anew in every fresh isolate: these five cost
 * ~0.4 ms that way in each fresh thread or process here. (Arrow functions get no such hint.)
 */

/** Rejection value of `failure`: the agent failed outside its own call stack. */
export class OutOfBandFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

export interface LifecycleOptions {
  agent: BaseAgent;
  /** Set by the orchestrator to ask this agent (alone) to stop. */
  stopRequested: SharedEvent;
  /** Aborted when a stop is requested; the agent's `signal`. */
  abort: AbortController;
  /** Where lifecycle reports go: straight to the orchestrator (inline) or over the protocol. */
  report: (message: ChildMessage) => void;
  /** Rejects with an `OutOfBandFailure` when the agent failed outside its own call stack (an unhandled rejection). */
  failure: Promise<never>;
}

/**
 * Drives one agent through its lifecycle, the same way in every mode:
 * started -> setup gate -> plugins -> setup -> ready -> execute gate -> work -> onClose -> plugins released -> closed.
 * Resolves when the agent is closed; never rejects (failures are reported).
 */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const runLifecycle = (async function ({
  agent,
  stopRequested,
  abort,
  report,
  failure,
}: LifecycleOptions): Promise<void> {
  const { controlEvents, stateEvents } = agent;
  let failed = false;
  let result: unknown;
  const fail = (phase: LifecyclePhase, error: unknown) => {
    failed = true;
    report({ type: 'error', phase, error: serializeError(error) });
  };
  // Setup and work end early when the agent fails outside its call stack; onStop, onClose and release always run.
  const guard = <T>(work: () => T | Promise<T>): Promise<T> =>
    Promise.race([Promise.resolve().then(work), failure]);

  let endWatch!: () => void;
  const watchOver = new Promise<void>((resolve) => {
    endWatch = resolve;
  });
  const stopWatch = watchForStop(agent, stopRequested, watchOver).then(async (stopped) => {
    if (!stopped) return;
    abort.abort(new Error(`Agent "${agent.name}" was asked to stop.`));
    report({ type: 'lifecycle', phase: 'stopping' });
    try {
      await agent.onStop();
    } catch (error) {
      fail('stop', error);
    }
  });
  failure.catch(() => {}); // observed through `guard`; never an unhandled rejection here

  stateEvents.started.set();
  report({ type: 'lifecycle', phase: 'started' });
  const initialised: AgentPlugin[] = [];
  let phase: LifecyclePhase = 'setup';
  try {
    if (await controlEvents.setup.wait({ signal: abort.signal })) {
      phase = 'plugins';
      for (const plugin of agent.plugins) {
        await guard(() => plugin.init?.(agent));
        initialised.push(plugin);
      }
      phase = 'setup';
      await guard(() => agent.setup());
      stateEvents.ready.set();
      report({ type: 'lifecycle', phase: 'ready' });
      if (await controlEvents.execute.wait({ signal: abort.signal })) {
        phase = 'work';
        report({ type: 'lifecycle', phase: 'running' });
        result = await guard(() => agent.run());
      }
    }
  } catch (error) {
    if (error instanceof OutOfBandFailure) fail('unhandled', error.error);
    else fail(phase, error);
  }

  try {
    await agent.onClose();
  } catch (error) {
    fail('close', error);
  }
  for (const plugin of initialised.reverse()) {
    try {
      await plugin.release?.(agent);
    } catch (error) {
      fail('plugins', error);
    }
  }
  endWatch();
  await stopWatch;
  stateEvents.closed.set();
  const outcome = failed ? 'failed' : abort.signal.aborted ? 'stopped' : 'completed';
  report({ type: 'done', outcome, result: outcome === 'completed' ? result : undefined });
});

/** Resolves true when either the orchestrator's stop request or the agent's `stop` control event is set before `over`. */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
const watchForStop = (async function (
  agent: BaseAgent,
  stopRequested: SharedEvent,
  over: Promise<void>,
): Promise<boolean> {
  let ended = false;
  let end!: () => void;
  // Ends both waits: when the watch is over, or as soon as one of them saw its event.
  const either = new Promise<void>((resolve) => {
    end = resolve;
  });
  void over.then(() => {
    ended = true;
    end();
  });
  const seen = await Promise.race([
    stopRequested.waitUntil(either),
    agent.controlEvents.stop.waitUntil(either),
  ]);
  end();
  return seen && !ended;
});
