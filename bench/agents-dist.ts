/**
 * The benchmark agent as users write it against the published package: its module imports
 * `tsorchestrate/agent`, which the package's self-reference resolves to dist/agent.js (the bundle).
 * Run it with `tsorchestrate`'s Orchestrator (dist/ too): one BaseAgent on both sides.
 */
import { OneShotAgent } from 'tsorchestrate/agent';
import { work } from './work.ts';

export class DistHashAgent extends OneShotAgent<{ seed: number }, string> {
  static readonly module = import.meta.url;
  static override readonly defaults = { seed: 0 };
  execute(): string {
    return work(this.config.seed);
  }
}
