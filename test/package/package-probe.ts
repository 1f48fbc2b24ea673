/**
 * An agent as users write it against the published package (dist/; build first): its module gets
 * its classes from `tsorchestrate/agent`. Specifiers in variables: this file type-checks without dist/.
 */
import type * as AgentApi from '../../src/agent.ts';

const agentEntry: string = 'tsorchestrate/agent';
const packageRoot: string = 'tsorchestrate';
const { OneShotAgent } = (await import(agentEntry)) as typeof AgentApi;

/** Where the package's two names lead from inside the agent's thread or process. */
export class DistPackageProbe extends OneShotAgent<Record<string, never>, { root: string; agent: string }> {
  static readonly module = import.meta.url;
  execute() {
    return { root: import.meta.resolve(packageRoot), agent: import.meta.resolve(agentEntry) };
  }
}
