/**
 * The same agent as agents.ts, but its module imports `tsorchestrate/agent` (src/agent.ts) instead
 * of the package root, so a fresh worker or child does not load the orchestrator to build it.
 */
import { OneShotAgent } from '../src/agent.ts';
import { work } from './work.ts';

export class LightHashAgent extends OneShotAgent<{ seed: number }, string> {
  static readonly module = import.meta.url;
  static override readonly defaults = { seed: 0 };
  execute(): string {
    return work(this.config.seed);
  }
}
