import type { ConfigIssue } from '../errors.ts';
import { BaseAgent } from './base-agent.ts';
import { limitIssues } from './loop-config.ts';
import { LoopYielder } from './yield-to-loop.ts';

export interface LoopingConfig {
  /** How many cycles to run; -1 runs until stopped. Default -1. */
  limit: number;
}

/** Calls `cycle` again and again until `limit` cycles ran or a stop is requested (the current cycle finishes). */
export abstract class LoopingAgent<C extends LoopingConfig = LoopingConfig> extends BaseAgent<C, number> {
  static override readonly defaults: object = { limit: -1 };

  /** `limit`: an integer >= -1 (or Infinity). A subclass's own `validate` can add to it with `LoopingAgent.validate(config)`. */
  static validate(config: LoopingConfig): ConfigIssue[] {
    return limitIssues(config.limit);
  }

  /** Cycles completed so far. */
  cycles = 0;

  abstract cycle(): void | Promise<void>;

  execute(): Promise<number> {
    return this.#loop();
  }

  async #loop(): Promise<number> {
    const limit = this.config.limit;
    const yielder = new LoopYielder();
    while (!this.stopRequested && (limit < 0 || this.cycles < limit)) {
      await this.cycle();
      this.cycles++;
      await yielder.maybeYield();
    }
    return this.cycles;
  }
}
