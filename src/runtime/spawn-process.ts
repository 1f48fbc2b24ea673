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
  const env = agentEnv();
  const child = fork(fileURLToPath(transportUrl('process-transport')), [], {
    env,
    serialization: 'advanced',
    execArgv: agentExecArgv(heapLimitMb, env),
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

/**
 * An agent process's Node flags: the parent's that make sense there, its heap limit, and a young
 * generation that starts at 2 MiB per semi-space instead of V8's 1 MiB. Starting up (Node's module
 * loader on our host, the protocol, the agent's module) allocates just past 1 MiB, so every short
 * agent process paid a scavenge, ~1 ms of CPU over V8's threads, that a bare `fork` doing the same
 * work does not reach; V8 grows the young generation as it needs from there either way. Flags of
 * the user's that size it, in the parent's flags or NODE_OPTIONS, are left to decide.
 */
export function agentExecArgv(heapLimitMb: number | undefined, env: NodeJS.ProcessEnv): string[] {
  const execArgv = inheritableExecArgv();
  if (heapLimitMb !== undefined)
    execArgv.push(`--max-old-space-size=${Math.max(1, Math.round(heapLimitMb))}`);
  if (!SEMI_SPACE.test(`${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`)) execArgv.push(START_SEMI_SPACE);
  return execArgv;
}

const START_SEMI_SPACE = '--min-semi-space-size=2';
const SEMI_SPACE = /--(min|max)[-_]semi[-_]space[-_]size/;

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
