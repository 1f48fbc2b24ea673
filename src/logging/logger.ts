import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import type { AgentMode } from '../protocol/messages.ts';

export type { Logger };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Pino = (options: LoggerOptions, stream?: DestinationStream) => Logger;
let pino: Pino | undefined;

// pino costs ~18 ms to load; agents in fresh workers load it only when they first log (and
// node:module with it: importing node:module loads three more of Node's own modules).
function loadPino(): Pino {
  pino ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('pino') as Pino;
  return pino;
}

/** The default level: `TSORCHESTRATE_LOG_LEVEL` if set to a valid level, else `info`. */
export function defaultLogLevel(): LogLevel {
  const fromEnv = process.env.TSORCHESTRATE_LOG_LEVEL as LogLevel | undefined;
  return fromEnv && LOG_LEVELS.includes(fromEnv) ? fromEnv : 'info';
}

/** A line-oriented sink: stderr by default, or whatever the orchestrator was given. */
export interface LogSink {
  write(line: string): unknown;
}

export function createLogger(bindings: Record<string, unknown>, level: string, sink: LogSink): Logger {
  return loadPino()({ level, base: bindings }, sink as DestinationStream);
}

/** The logger an agent sees: every line carries its name, mode, pid and thread id. */
export function createAgentLogger(
  name: string,
  mode: AgentMode,
  level: string,
  sink: LogSink,
  threadId: number | undefined,
): Logger {
  return createLogger({ agent: name, mode, pid: process.pid, threadId }, level, sink);
}
