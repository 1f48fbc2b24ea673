/**
 * Resolves after one turn of the event loop. Not node:timers/promises: that is one more of Node's
 * modules to load in every fresh isolate, and every agent's session needs this.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
    await nextTurn();
    this.#last = performance.now();
  }
}
