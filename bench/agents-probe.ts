/**
 * Agents for the latency and event-rate benchmarks. `Stamp` returns the wall-clock moment its work
 * ended; `Chatter` sends `count` heartbeats as fast as it can (events from a thread agent).
 */
import { OneShotAgent } from '../src/agent.ts';

export class Stamp extends OneShotAgent<Record<string, never>, number> {
  static readonly module = import.meta.url;
  execute(): number {
    return performance.timeOrigin + performance.now();
  }
}

export class Chatter extends OneShotAgent<{ count: number }, number> {
  static readonly module = import.meta.url;
  static override readonly defaults = { count: 0 };
  execute(): number {
    for (let i = 0; i < this.config.count; i++) this.heartbeat();
    return this.config.count;
  }
}
