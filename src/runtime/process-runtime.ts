import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AgentOutOfMemoryError } from '../errors.ts';
import { isChildMessage, type ParentMessage } from '../protocol/messages.ts';
import {
  type AgentRuntime,
  BOOTSTRAP_URL,
  eventHandles,
  type LaunchRequest,
  type RuntimeHandlers,
  transportUrl,
} from './agent-runtime.ts';
import { EventMirror } from './event-mirror.ts';

/** Runs the agent in a forked Node process; events are mirrored over IPC. */
export function launchProcess(request: LaunchRequest, handlers: RuntimeHandlers): AgentRuntime {
  const heapLimitMb = request.resourceLimits?.maxOldGenerationSizeMb;
  const execArgv = inheritableExecArgv();
  if (heapLimitMb !== undefined)
    execArgv.push(`--max-old-space-size=${Math.max(1, Math.round(heapLimitMb))}`);
  const child = fork(fileURLToPath(BOOTSTRAP_URL), [transportUrl('process-transport')], {
    serialization: 'advanced',
    execArgv,
    // With a heap limit, stderr passes through us so that V8's out-of-memory report is recognised.
    stdio: ['ignore', 'inherit', heapLimitMb === undefined ? 'inherit' : 'pipe', 'ipc'],
  });
  let outOfMemory = false;
  if (child.stderr) {
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('latin1')).slice(-4096);
      if (!outOfMemory && /heap out of memory|Reached heap limit/.test(tail)) outOfMemory = true;
    });
  }
  let forced = false;
  let spawnError: Error | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const send = (message: ParentMessage) => {
    // A child that just died cannot be told anything; its 'close' reports the end.
    if (child.connected) child.send(message, () => {});
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
    const error =
      outOfMemory && heapLimitMb !== undefined
        ? new AgentOutOfMemoryError(request.spec.name, heapLimitMb)
        : spawnError;
    handlers.exit({ exitCode, signal, forced, ...(error ? { error } : {}) });
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

const FLAGS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '--input-type']);
const DROPPED_PREFIXES = ['--test', '--eval=', '--print=', '--input-type='];

/** The parent's Node flags, less the test runner's and `--eval`'s, which make no sense in an agent process. */
function inheritableExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (FLAGS_WITH_VALUE.has(flag)) i++;
    else if (!DROPPED_PREFIXES.some((prefix) => flag.startsWith(prefix))) out.push(flag);
  }
  return out;
}
