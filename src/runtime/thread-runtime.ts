import { Worker } from 'node:worker_threads';
import { isChildMessage } from '../protocol/messages.ts';
import { agentEnv } from './agent-env.ts';
import {
  type AgentRuntime,
  eventHandles,
  type LaunchRequest,
  type RuntimeHandlers,
  transportUrl,
} from './agent-runtime.ts';

/** A worker thread running the agent host. */
export function spawnThread(resourceLimits: LaunchRequest['resourceLimits']): Worker {
  // No execArgv: a worker inherits its parent's flags by default, while passing them explicitly
  // rejects per-process ones (as `node --test` uses).
  return new Worker(new URL(transportUrl('thread-transport')), {
    env: agentEnv(),
    ...(resourceLimits ? { resourceLimits } : {}),
  });
}

/** Runs the agent in a fresh `node:worker_threads` Worker; events are shared memory. */
export function launchThread(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  const worker = spawnThread(request.resourceLimits);
  let forced = false;
  let crash: Error | undefined;
  worker.on('message', (message: unknown) => {
    if (!isChildMessage(message)) return;
    // The run is over now: the thread's teardown (milliseconds) is not waited for.
    if (message.type === 'finished') handlers.exit({ exitCode: message.exitCode ?? 0, signal: null, forced });
    else handlers.message(message);
  });
  worker.on('error', (error) => {
    crash = error;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (exitCode) => {
      handlers.exit({ exitCode, signal: null, forced, ...(crash ? { error: crash } : {}) });
      resolve();
    });
  });
  worker.postMessage({ type: 'start', spec: request.spec, events: eventHandles(request.events, 'buffer') });
  return {
    mode: 'thread',
    pid: process.pid,
    threadId: worker.threadId,
    kill() {
      forced = true;
      void worker.terminate();
    },
    exited,
  };
}
