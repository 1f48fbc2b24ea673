/**
 * An orchestrator that is itself an agent of another: the hierarchy. Subclass it, register the
 * child agents in `compose`, and register the subclass with the parent in any mode; in a thread or
 * process the whole child orchestrator runs there. Its agents appear in the parent's events and
 * status under `name/child` paths; a stop of this agent shuts the child orchestrator down (a
 * cascade); a child agent that reaches its restart limit fails this agent, so the parent's policy
 * for it decides what happens next (escalation).
 */
import { BaseAgent } from '../agents/base-agent.ts';
import { OrchestratorError } from '../errors.ts';
import type { OrchestratorEventMap } from '../events/event-map.ts';
import { Orchestrator } from './orchestrator.ts';
import type { OrchestratorConfig } from './orchestrator-config.ts';

/** The result of an OrchestratorAgent: its child orchestrator's last batch, counted. */
export type NestedSummary = Omit<OrchestratorEventMap['orchestrator:all-agents-terminated'], 'timestamp'>;

export abstract class OrchestratorAgent<C extends object = Record<string, unknown>> extends BaseAgent<
  C,
  NestedSummary
> {
  /** Registers the child agents (and their dependencies, groups...) on the child orchestrator. */
  abstract compose(orchestrator: Orchestrator): void | Promise<void>;

  /** Options of the child orchestrator (its name is this agent's). Default: batch mode, no limit. */
  orchestratorConfig(): OrchestratorConfig {
    return {};
  }

  async execute(): Promise<NestedSummary> {
    const child = new Orchestrator({
      logLevel: 'warn',
      ...this.orchestratorConfig(),
      name: this.name,
      handleSignals: false,
    });
    let escalated: OrchestratorError | undefined;
    let escalate!: () => void;
    const escalation = new Promise<void>((resolve) => {
      escalate = resolve;
    });
    let summary: NestedSummary | undefined;
    child.on('*', ({ type, payload }) => {
      this.forwardEvent({ type, payload: payload as unknown as Record<string, unknown> });
      if (type === 'agent:restart-limit') {
        escalated ??= new OrchestratorError(
          'ERR_ESCALATED',
          `Agent "${payload.agent}" of orchestrator "${this.name}" reached its restart limit (${payload.maxRestarts} within ${payload.withinMs} ms).`,
        );
        escalate();
      } else if (type === 'orchestrator:all-agents-terminated') {
        const { timestamp: _, ...counts } = payload;
        summary = counts;
      }
    });
    const stopped = new Promise<void>((resolve) => {
      if (this.signal.aborted) resolve();
      else this.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await this.compose(child);
      await child.start();
      await Promise.race([child.join(), stopped, escalation]);
    } finally {
      await child.shutdown(); // the cascade: every child agent stops, dependents first
    }
    if (escalated) throw escalated;
    return summary ?? { orchestrator: this.name, completed: 0, stopped: 0, failed: 0, killed: 0, skipped: 0 };
  }
}
