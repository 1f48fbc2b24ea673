/**
 * Inline agents share the orchestrator's thread, so two things they might do would hit the host:
 * `process.exit` and a promise rejection nobody handles. While inline agents run, this guard traces
 * both back to the agent that caused them and fails that agent instead: each agent runs in its own
 * AsyncLocalStorage context, and Node calls `unhandledRejection` listeners in the context of the
 * promise that rejected (no promise hook needed, so promises cost nothing extra). What cannot be
 * traced to an agent is left to Node's usual behaviour.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { AgentExitError, UnhandledRejectionError } from '../errors.ts';

/** An async context captured to start inline runs in later (`captureContext()`). */
export type ContextRunner = AsyncResource;

/**
 * The current async context, to start inline runs in later: what `start()` was called in. An
 * `AsyncResource` (its `runInAsyncScope` makes one argument list a call), not
 * `AsyncLocalStorage.snapshot()`, whose bound function made four (~0.25 KB a run).
 */
export const captureContext = (): ContextRunner => new AsyncResource('tsorchestrate.start');

export interface InlineRun {
  readonly name: string;
  /**
   * The context to start in, captured when the agent was admitted; `undefined`: the current one.
   * A run entered from inside another run's context (a freed slot) would otherwise copy that
   * frame, a `Map` iterated into a new one (~0.4 KB a run), and take on that run's context.
   */
  readonly startIn: ContextRunner | undefined;
  /** Starts the run; called inside the run's own context. It calls `lifecycleEnded(this)` once its lifecycle is over. */
  start(): void;
  /** One turn of the event loop after `lifecycleEnded(this)`: the run is over (late rejections surfaced). */
  ended(): void;
  /** The agent failed outside its own call stack. */
  fail(error: Error): void;
}

const context = new AsyncLocalStorage<InlineRun>();
let active = 0;
let uninstall: (() => void) | undefined;

/** Runs waiting to start, in order, and the context each starts in. */
let entering: InlineRun[] = [];
let enteringIn: ContextRunner[] = [];
let enterScheduled = false;

/**
 * Starts `run` a microtask from now (the caller returns first), with the guard installed while any
 * inline agent is inside. The run's context is entered inside that microtask, on top of
 * `run.startIn`, not with `context.run()`, which makes a second frame per agent to restore the
 * caller's. A frame is a `Map` copied from the one below it: on top of the context start() was
 * called in (usually empty) rather than the previous run's, nothing is copied (~0.4 KB a run
 * less). The runs launched before it runs share one microtask, which starts them in order: a
 * promise reaction and its job per run were ~0.1 KB, and a closure, a `finally` and their
 * promises per run before that ~0.5 KB.
 */
export function runGuarded(run: InlineRun): void {
  if (active++ === 0) uninstall = install();
  entering.push(run);
  // A run given no context (a restart by policy) starts in its caller's, as a job of its own would.
  enteringIn.push(run.startIn ?? captureContext());
  if (enterScheduled) return;
  enterScheduled = true;
  queueMicrotask(enterAll);
}

/**
 * Starts the runs launched since the last time, each in its own context. A run launched while
 * they start (a listener starting another agent) waits for a microtask of its own, after those
 * the runs started here have queued, as it did when every run had its own.
 */
function enterAll(): void {
  const runs = entering;
  const contexts = enteringIn;
  entering = [];
  enteringIn = [];
  enterScheduled = false;
  for (let at = 0; at < runs.length; at++) {
    try {
      contexts[at]!.runInAsyncScope(enter, undefined, runs[at]!);
    } catch (error) {
      rethrowLater(error); // a session reports its agent's failures: this one is ours
    }
  }
}

function enter(run: InlineRun): void {
  context.enterWith(run);
  run.start();
}

/**
 * `run`'s lifecycle is over. A rejection nobody handled surfaces once the microtask queue has
 * drained, so the run ends (`run.ended()`) one turn of the event loop later, and the guard keeps
 * watching for it one more turn after that. Every run of a turn shares one immediate: no promise
 * or callback is made per run.
 */
export function lifecycleEnded(run: InlineRun): void {
  ending.push(run);
  scheduleTurn();
}

/** Runs whose lifecycle ended this turn: told `ended()` after it. */
let ending: InlineRun[] = [];
/** Runs that ended last turn: they leave the count after this one. */
let leaving = 0;
let turnScheduled = false;
/**
 * The guard's turns start in the context this module was loaded in, not in that of the run that
 * happened to end first: no run's end (nor the listeners told of it) may see another agent's context.
 */
const turns = new AsyncResource('tsorchestrate.turn');

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  turns.runInAsyncScope(setImmediate, undefined, turn);
}

function turn(): void {
  turnScheduled = false;
  active -= leaving;
  const ended = ending;
  ending = [];
  leaving = ended.length;
  for (const run of ended) {
    try {
      // Told in the context the run started in, as a thread's or process's end is (its events
      // come in the context it was launched in): listeners see that of the run's own start().
      if (run.startIn) run.startIn.runInAsyncScope(run.ended, run);
      else run.ended();
    } catch (error) {
      rethrowLater(error);
    }
  }
  if (leaving > 0) scheduleTurn();
  else if (active === 0) {
    uninstall?.();
    uninstall = undefined;
  }
}

/**
 * A throw of ours (not an agent's) while starting or ending runs: it surfaces as it would have
 * thrown, a microtask later, and the other runs still start or end.
 */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
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
