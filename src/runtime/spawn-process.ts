import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AgentOutOfMemoryError } from '../errors.ts';
import type { ParentMessage } from '../protocol/messages.ts';
import { agentEnv } from './agent-env.ts';
import { transportUrl } from './agent-runtime.ts';

/**
 * A child process running the agent host. With a heap limit, its stderr passes through us so that
 * V8's out-of-memory report is recognised: `outOfMemory()` then returns the error to report.
 */
export function spawnProcess(
  name: string,
  heapLimitMb: number | undefined,
): { child: ChildProcess; outOfMemory(): Error | undefined } {
  const execArgv = inheritableExecArgv();
  if (heapLimitMb !== undefined)
    execArgv.push(`--max-old-space-size=${Math.max(1, Math.round(heapLimitMb))}`);
  const child = fork(fileURLToPath(transportUrl('process-transport')), [], {
    env: agentEnv(),
    serialization: 'advanced',
    execArgv,
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
  return {
    child,
    outOfMemory: () =>
      outOfMemory && heapLimitMb !== undefined ? new AgentOutOfMemoryError(name, heapLimitMb) : undefined,
  };
}

/** SIGTERM now, SIGKILL after `killTimeout` if it is still there. Returns the SIGKILL timer. */
export function terminateProcess(child: ChildProcess, killTimeout: number): NodeJS.Timeout | undefined {
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  child.kill('SIGTERM');
  return setTimeout(() => child.kill('SIGKILL'), killTimeout);
}

/** Sends to a child unless it is gone (a child that just died cannot be told anything). */
export function sendTo(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message, () => {});
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
