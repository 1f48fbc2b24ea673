import type { BaseAgent } from './base-agent.ts';

/**
 * A plugin is initialised before the agent's `setup` and released after its `onClose`,
 * in reverse order, also when the agent fails. Plugins of thread and process agents are
 * rebuilt on the other side: their class must declare `static readonly module = import.meta.url`,
 * be exported from that module, and keep only structured-cloneable fields.
 */
export interface AgentPlugin {
  init?(agent: BaseAgent): void | Promise<void>;
  release?(agent: BaseAgent): void | Promise<void>;
}
