import { setImmediate as nextTurn } from 'node:timers/promises';
import { OutOfBandFailure, runLifecycle } from '../agents/lifecycle.ts';
import { serializeError } from '../errors.ts';
import type { ControlEvents, StateEvents } from '../events/shared-event.ts';
import { createAgentLogger } from '../logging/logger.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import type { AgentRuntime, LaunchRequest, RuntimeHandlers } from './agent-runtime.ts';
import { runGuarded } from './inline-guard.ts';

/** Runs the agent on the orchestrator's own event loop: no isolation, no start-up cost. */
export function launchInline(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  const { spec, events } = request;
  let ended = false;
  let lifecycleDone = false;
  const report = (message: ChildMessage) => {
    if (message.type === 'error') failedRun = true;
    if (!ended) handlers.message(message);
  };
  const end = (forced: boolean, exitCode: number | null) => {
    if (ended) return;
    ended = true;
    handlers.exit({ exitCode, signal: null, forced });
  };
  let rejectFailure!: (reason: OutOfBandFailure) => void;
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  let exitCode: number | null = null;
  const run = {
    name: spec.name,
    fail(error: Error) {
      if ('exitCode' in error && typeof error.exitCode === 'number') exitCode = error.exitCode;
      // After the lifecycle ended, a late failure (a rejection surfacing next turn) is still reported.
      if (lifecycleDone) report({ type: 'error', phase: 'unhandled', error: serializeError(error) });
      else rejectFailure(new OutOfBandFailure(error));
    },
  };
  const abort = new AbortController();
  let failedRun = false;

  const main = async () => {
    await Promise.resolve(); // let launch return before the first report
    try {
      const agent = new request.AgentClass({
        name: spec.name,
        mode: 'inline',
        config: spec.config as never,
        controlEvents: {
          setup: events.setup,
          execute: events.execute,
          stop: events.stop,
        } satisfies ControlEvents,
        stateEvents: {
          started: events.started,
          ready: events.ready,
          closed: events.closed,
        } satisfies StateEvents,
        signal: abort.signal,
        plugins: request.plugins,
        createLogger: () => createAgentLogger(spec.name, 'inline', spec.logLevel, request.logSink, undefined),
      });
      await runLifecycle({ agent, stopRequested: events.stopRequested, abort, failure, report });
    } catch (error) {
      report({ type: 'error', phase: 'runtime', error: serializeError(error) });
      report({ type: 'done', outcome: 'failed', result: undefined });
    }
    lifecycleDone = true;
    await nextTurn();
  };
  void runGuarded(run, main).then(() => end(false, exitCode ?? (failedRun ? null : 0)));

  return {
    mode: 'inline',
    pid: process.pid,
    threadId: undefined,
    kill() {
      // An inline agent cannot be pre-empted: abandon it, so its slot and its join are freed now.
      abort.abort(new Error(`Agent "${spec.name}" was killed.`));
      end(true, null);
    },
  };
}
