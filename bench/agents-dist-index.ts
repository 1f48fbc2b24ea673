/**
 * The benchmark agent against the published package, its module importing the package root
 * `tsorchestrate` (dist/index.js, via the package self-reference), as agents written against the
 * root do (the README recommends `tsorchestrate/agent`: bench/agents-dist.ts).
 * Run it with `tsorchestrate`'s Orchestrator (dist/ too): one BaseAgent on both sides.
 */
import { OneShotAgent } from 'tsorchestrate';
import { work } from './work.ts';

export class DistHashAgent extends OneShotAgent<{ seed: number }, string> {
  static readonly module = import.meta.url;
  static override readonly defaults = { seed: 0 };
  execute(): string {
    return work(this.config.seed);
  }
}
