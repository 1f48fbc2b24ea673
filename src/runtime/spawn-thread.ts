import { Worker } from 'node:worker_threads';
import type { ParentMessage } from '../protocol/messages.ts';
import { agentEnv } from './agent-env.ts';
import { type LaunchRequest, transportUrl } from './agent-runtime.ts';

/** A worker thread running the agent host; `start` is its first run's message (see thread-transport.ts). */
export function spawnThread(resourceLimits: LaunchRequest['resourceLimits'], start: ParentMessage): Worker {
  // No execArgv: a worker inherits its parent's flags by default, while passing them explicitly
  // rejects per-process ones (as `node --test` uses).
  return new Worker(new URL(transportUrl('thread-transport')), {
    env: agentEnv(),
    workerData: start,
    ...(resourceLimits ? { resourceLimits } : {}),
  });
}
