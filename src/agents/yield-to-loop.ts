let turn: Promise<void> | undefined;

/**
 * Resolves after one turn of the event loop. Every caller in the same turn shares one immediate
 * (each agent's session ends with this). Not node:timers/promises: that is one more of Node's
 * modules to load in every fresh isolate.
 */
export const nextTurn = (): Promise<void> =>
  (turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = undefined; // a caller from here on waits for the next turn, not this one
      resolve();
    }),
  ));

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
