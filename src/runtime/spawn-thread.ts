import { Worker } from 'node:worker_threads';
import { agentEnv } from './agent-env.ts';
import { type LaunchRequest, transportUrl } from './agent-runtime.ts';

/** A worker thread running the agent host. */
export function spawnThread(resourceLimits: LaunchRequest['resourceLimits']): Worker {
  // No execArgv: a worker inherits its parent's flags by default, while passing them explicitly
  // rejects per-process ones (as `node --test` uses).
  return new Worker(new URL(transportUrl('thread-transport')), {
    env: agentEnv(),
    ...(resourceLimits ? { resourceLimits } : {}),
  });
}
