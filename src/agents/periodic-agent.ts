import type { ConfigIssue } from '../errors.ts';
import { BaseAgent } from './base-agent.ts';
import { flagIssues, intervalIssues, limitIssues } from './loop-config.ts';

export interface PeriodicConfig {
  /** Time between runs, in ms. Default 1000. */
  interval: number;
  /** How many runs; -1 runs until stopped. Default -1. */
  limit: number;
  /** Keep runs on a fixed schedule (start + n * interval), subtracting the runner's own time. Default true. */
  delayCompensation: boolean;
}

/** Calls `runner` every `interval` ms, up to `limit` times, until a stop is requested. */
export abstract class PeriodicAgent<C extends PeriodicConfig = PeriodicConfig> extends BaseAgent<C, number> {
  static override readonly defaults: object = { interval: 1000, limit: -1, delayCompensation: true };

  /**
   * `interval`: ms >= 0; `limit`: an integer >= -1 (or Infinity); `delayCompensation`: a boolean.
   * A subclass's own `validate` can add to these with `PeriodicAgent.validate(config)`.
   */
  static validate(config: PeriodicConfig): ConfigIssue[] {
    return [
      ...intervalIssues(config.interval),
      ...limitIssues(config.limit),
      ...flagIssues('delayCompensation', config.delayCompensation),
    ];
  }

  /** Runs completed so far. */
  runs = 0;

  abstract runner(): void | Promise<void>;

  execute(): Promise<number> {
    return this.#loop();
  }

  async #loop(): Promise<number> {
    const { interval, limit, delayCompensation } = this.config;
    // Loaded here, not imported: every fresh isolate loads this module, few run periodic agents.
    const { setTimeout: sleep } = process.getBuiltinModule('node:timers/promises');
    const origin = performance.now();
    while (!this.stopRequested && (limit < 0 || this.runs < limit)) {
      await this.runner();
      this.runs++;
      if (limit >= 0 && this.runs >= limit) break;
      const wait = delayCompensation ? origin + this.runs * interval - performance.now() : interval;
      try {
        await sleep(Math.max(0, wait), undefined, { signal: this.signal });
      } catch {
        break; // aborted by a stop
      }
    }
    return this.runs;
  }
}
