/**
 * What `status()` returns and `report()` prints: one row per agent, built from the orchestrator's
 * records at the moment of the call.
 */
import { createRequire } from 'node:module';
import type { AgentMode } from '../protocol/messages.ts';
import type { AgentStatus } from './agent-state.ts';
import { exitStatus } from './agent-stats.ts';

export interface AgentStatusReport {
  name: string;
  state: AgentStatus;
  mode: AgentMode;
  /** The process the agent runs in (the orchestrator's own for inline and thread agents), while it runs. */
  pid: number | undefined;
  /** Thread agents, while they run. */
  threadId: number | undefined;
  /** When the current or last run started (`Date.now()` ms). */
  startedAt: number | undefined;
  /** Since `startedAt`, while the agent runs. */
  uptimeMs: number | undefined;
  restarts: number;
  /** How the last ended run ended. */
  exitCode: number | null | undefined;
  signal: string | null | undefined;
  /** The most recent error, as `Name: message`. */
  lastError: string | undefined;
  /** While waiting: `a slot`, or the unmet dependencies with their conditions. */
  waitingFor: string | undefined;
  groups: string[];
}

type CliTable = new (options: object) => { push(...rows: string[][]): void; toString(): string };
let Table: CliTable | undefined;

/** The rows as a plain-text table (cli-table3, loaded on first use). */
export function formatStatusTable(rows: readonly AgentStatusReport[]): string {
  Table ??= createRequire(import.meta.url)('cli-table3') as CliTable;
  const table = new Table({
    head: ['AGENT', 'STATE', 'MODE', 'PID', 'THREAD', 'UPTIME', 'RESTARTS', 'EXIT', 'NOTE'],
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push([
      row.name,
      row.state,
      row.mode,
      row.pid === undefined ? '-' : String(row.pid),
      row.threadId === undefined ? '-' : String(row.threadId),
      row.uptimeMs === undefined ? '-' : formatDuration(row.uptimeMs),
      String(row.restarts),
      exitStatus(row.exitCode, row.signal) || '-',
      row.waitingFor ? `waiting for ${row.waitingFor}` : (row.lastError ?? ''),
    ]);
  }
  return table.toString();
}

/** `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
