import { type AgentSession, startAgentSession } from '../agents/agent-session.ts';
import type { ChildMessage } from '../protocol/messages.ts';
import type { AgentRuntime, LaunchRequest, RuntimeHandlers } from './agent-runtime.ts';
import { runGuarded } from './inline-guard.ts';

/** Runs the agent on the orchestrator's own event loop: no isolation, no start-up cost. */
export function launchInline(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  const { spec } = request;
  let ended = false;
  let failed = false;
  let exitCode: number | null = null;
  const end = (forced: boolean, code: number | null) => {
    if (ended) return;
    ended = true;
    handlers.exit({ exitCode: code, signal: null, forced });
  };
  const report = (message: ChildMessage) => {
    if (message.type === 'error') failed = true;
    if (!ended) handlers.message(message);
  };
  const abort = new AbortController();
  let session: AgentSession | undefined;
  const run = {
    name: spec.name,
    fail(error: Error) {
      if ('exitCode' in error && typeof error.exitCode === 'number') exitCode = error.exitCode;
      session?.fail(error);
    },
  };

  const main = async () => {
    await Promise.resolve(); // let launch return before the first report
    session = startAgentSession({
      AgentClass: request.AgentClass,
      name: spec.name,
      mode: 'inline',
      threadId: undefined,
      config: spec.config,
      plugins: request.plugins,
      events: request.events,
      logLevel: spec.logLevel,
      logSink: request.logSink,
      abort,
      report,
    });
    await session.finished;
  };
  void runGuarded(run, main).then(() => end(false, exitCode ?? (failed ? null : 0)));

  return {
    mode: 'inline',
    pid: process.pid,
    threadId: undefined,
    kill() {
      // An inline agent cannot be pre-empted: abandon it, so its slot and its join are freed now.
      abort.abort(new Error(`Agent "${spec.name}" was killed.`));
      end(true, null);
    },
    exited: undefined,
  };
}
