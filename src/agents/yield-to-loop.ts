import { setImmediate as nextMacrotask } from 'node:timers/promises';

const YIELD_EVERY_MS = 10;

/**
 * A loop of awaited synchronous work never lets the event loop run, so messages (a stop,
 * an IPC event) would never arrive. Call this between iterations: it yields to the event
 * loop at most once every 10 ms, so tight loops stay fast and still see a stop.
 */
export class LoopYielder {
  #last = performance.now();

  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.#last < YIELD_EVERY_MS) return;
    await nextMacrotask();
    this.#last = performance.now();
  }
}
