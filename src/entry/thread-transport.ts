/** The worker-thread side of the protocol: hosts one agent over `parentPort`. */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { ParentMessage } from '../protocol/messages.ts';
// The agent classes too (the agent's module will want them): see agent.ts on why.
import '../agent.ts';
import { serveAgent } from './agent-host.ts';
import { routeOwnPackage } from './own-package.ts';

const port = parentPort;
if (!port) throw new Error('tsorchestrate thread entry must run in a worker thread.');
routeOwnPackage();

serveAgent({
  mode: 'thread',
  threadId,
  send: (message) => port.postMessage(message),
  onMessage: (listener) => {
    // The first run's `start` comes with the thread (spawn-thread.ts): no wait for a message.
    if (workerData) listener(workerData as ParentMessage);
    port.on('message', (message: ParentMessage) => listener(message));
  },
  exit: (code) => process.exit(code),
});
