/**
 * Inline agents share the orchestrator's thread, so two things they might do would hit the host:
 * `process.exit` and a promise rejection nobody handles. While inline agents run, this guard traces
 * both back to the agent that caused them and fails that agent instead: each agent runs in its own
 * AsyncLocalStorage context, and Node calls `unhandledRejection` listeners in the context of the
 * promise that rejected (no promise hook needed, so promises cost nothing extra). What cannot be
 * traced to an agent is left to Node's usual behaviour.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AgentExitError, UnhandledRejectionError } from '../errors.ts';

export interface InlineRun {
  readonly name: string;
  /** Starts the run; called inside the run's own context. It calls `leaveGuard()` once it is finished. */
  start(): void;
  /** The agent failed outside its own call stack. */
  fail(error: Error): void;
}

const context = new AsyncLocalStorage<InlineRun>();
let active = 0;
let uninstall: (() => void) | undefined;
/** Runs that ended this turn: they leave the count together, one turn later. */
let leaving = 0;

const begun = Promise.resolve();
/** Runs waiting for their first microtask, in order (jobs run in the order they were queued). */
let entering: InlineRun[] = [];
let next = 0;

/**
 * Starts `run` a microtask from now (the caller returns first), with the guard installed while any
 * inline agent is inside. The run's context is entered inside that microtask, not with
 * `context.run()`: every job sets its own context when it runs, so nothing needs restoring after
 * it, and `run()` makes a second frame per agent to restore the caller's (a `Map` copied through
 * an iterator, ~0.4 KB). The job is one shared function taking runs from a queue: a closure, a
 * `finally` and their promises per run were ~0.5 KB.
 */
export function runGuarded(run: InlineRun): void {
  if (active++ === 0) uninstall = install();
  entering.push(run);
  void begun.then(enterNext);
}

function enterNext(): void {
  const run = entering[next++]!;
  if (next === entering.length) {
    entering = [];
    next = 0;
  }
  context.enterWith(run);
  run.start();
}

/** A run is finished. Unhandled rejections surface after the microtask queue drains: keep watching one more turn. */
export function leaveGuard(): void {
  if (leaving++ > 0) return;
  setImmediate(() => {
    active -= leaving;
    leaving = 0;
    if (active === 0) {
      uninstall?.();
      uninstall = undefined;
    }
  });
}

function install(): () => void {
  const originalExit = process.exit;
  process.exit = function exit(code?: number | string | null): never {
    const run = context.getStore();
    if (!run) return originalExit.call(process, code);
    const error = new AgentExitError(run.name, Number(code ?? 0));
    run.fail(error);
    throw error;
  } as typeof process.exit;

  const onRejection = (reason: unknown) => {
    const run = context.getStore();
    if (run) {
      run.fail(new UnhandledRejectionError(run.name, reason));
    } else if (process.listenerCount('unhandledRejection') === 1) {
      // Nobody else listens: behave as Node would without us.
      process.nextTick(() => {
        throw reason;
      });
    }
  };
  process.on('unhandledRejection', onRejection);

  return () => {
    process.exit = originalExit;
    process.off('unhandledRejection', onRejection);
  };
}
