/** The child-process side of the protocol: hosts one agent over the IPC channel. */
import type { ChildMessage, ParentMessage } from '../protocol/messages.ts';
// The agent classes too (the agent's module will want them): see agent.ts on why.
import '../agent.ts';
import { serveAgent } from './agent-host.ts';
import { routeOwnPackage } from './own-package.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('tsorchestrate process entry must be started with an IPC channel (fork).');
routeOwnPackage();

// No orphans: when the orchestrator goes away (even SIGKILLed), the IPC channel closes and we leave.
process.on('disconnect', () => process.exit(70));
// Ctrl-C reaches the whole process group: leave it to the orchestrator, which stops us gracefully.
process.on('SIGINT', () => {});

let pending = 0;
let exitCode: number | undefined;
const maybeExit = () => {
  if (exitCode !== undefined && pending === 0) process.exit(exitCode);
};

serveAgent({
  mode: 'process',
  threadId: undefined,
  send: (message: ChildMessage) => {
    pending++;
    try {
      send(message, undefined, {}, () => {
        pending--;
        maybeExit();
      });
    } catch (error) {
      pending--; // not cloneable: nothing was queued
      throw error;
    }
  },
  onMessage: (listener) => process.on('message', (message: ParentMessage) => listener(message)),
  exit: (code) => {
    exitCode = code;
    maybeExit();
  },
});
