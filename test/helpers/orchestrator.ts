/** Building orchestrators for the behaviour suite: quiet, and always torn down after the test. */
process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';

import type { TestContext } from 'node:test';
import { type AgentMode, type LogSink, Orchestrator, type OrchestratorConfig } from '../../src/index.ts';

export const MODES = ['inline', 'thread', 'process'] as const;

/**
 * Where the per-agent behaviour suite runs its agents: each mode, then threads and processes with
 * `reuse`, on warm pooled ones, which must behave the same (issue 6: same lifecycle, events and
 * failure reporting).
 */
export const PLACEMENTS: readonly ({ name: string } & Placement)[] = [
  { name: 'inline', mode: 'inline', reuse: false },
  { name: 'thread', mode: 'thread', reuse: false },
  { name: 'process', mode: 'process', reuse: false },
  { name: 'thread (reuse)', mode: 'thread', reuse: true },
  { name: 'process (reuse)', mode: 'process', reuse: true },
];

/** Where an agent runs: its mode, and for a thread or process whether on a pooled one. */
export interface Placement {
  mode: AgentMode;
  reuse: boolean;
}

/**
 * A silent orchestrator that does not touch the host's signal handlers. The default stop timeout is
 * long, so a test that expects a graceful stop cannot pass by being forced. After the test, whatever
 * still runs is killed and the orchestrator shut down, so a failing test leaves nothing behind.
 */
export function createOrchestrator(t: TestContext, config: OrchestratorConfig = {}): Orchestrator {
  const orchestrator = new Orchestrator({
    logLevel: 'silent',
    handleSignals: false,
    stopTimeout: 60_000,
    killTimeout: 500,
    ...config,
  });
  t.after(async () => {
    await Promise.all(orchestrator.agents().map((entry) => entry.kill()));
    await orchestrator.shutdown();
  });
  return orchestrator;
}

/**
 * A log destination that keeps every line. Agents' log lines reach it from every mode (process and
 * thread agents send them over the protocol), which makes it a way to observe what happened on the
 * far side even when an agent fails and returns nothing.
 */
export class LogCapture implements LogSink {
  readonly lines: Record<string, unknown>[] = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }

  /** The `step` fields logged by `agent`, in order. */
  steps(agent: string): string[] {
    return this.lines
      .filter((line) => line.agent === agent && typeof line.step === 'string')
      .map((line) => line.step as string);
  }
}
