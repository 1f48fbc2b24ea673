import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isChildMessage, type ParentMessage } from '../protocol/messages.ts';
import {
  type AgentRuntime,
  BOOTSTRAP_URL,
  eventHandles,
  inheritableExecArgv,
  type LaunchRequest,
  type RuntimeHandlers,
  transportUrl,
} from './agent-runtime.ts';
import { EventMirror } from './event-mirror.ts';

/** Runs the agent in a forked Node process; events are mirrored over IPC. */
export function launchProcess(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  const child = fork(fileURLToPath(BOOTSTRAP_URL), [transportUrl('process-transport')], {
    serialization: 'advanced',
    execArgv: inheritableExecArgv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let forced = false;
  let spawnError: Error | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message, (error) => error && undefined);
  };
  const mirror = new EventMirror(request.events, send);
  child.on('message', (message: unknown) => {
    if (!isChildMessage(message)) return;
    if (message.type === 'event') mirror.apply(message.name, message.value);
    else handlers.message(message);
  });
  child.on('error', (error) => {
    spawnError = error;
  });
  // 'close', not 'exit': it fires only after every message the child sent has been read.
  child.once('close', (exitCode, signal) => {
    clearTimeout(killTimer);
    mirror.close();
    handlers.exit({ exitCode, signal, forced, ...(spawnError ? { error: spawnError } : {}) });
  });
  send({ type: 'start', spec: request.spec, events: eventHandles(request.events, 'value') });
  return {
    mode: 'process',
    pid: child.pid ?? -1,
    threadId: undefined,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      forced = true;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), request.killTimeout);
    },
  };
}
