/** The orchestrator side of the launch benchmarks: a one-shot agent doing `work(seed)`. */
import { OneShotAgent } from '../src/index.ts';
import { work } from './work.ts';

export class HashAgent extends OneShotAgent<{ seed: number }, string> {
  static readonly module = import.meta.url;
  static override readonly defaults = { seed: 0 };
  execute(): string {
    return work(this.config.seed);
  }
}
