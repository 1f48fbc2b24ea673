/**
 * A promise of any kind: this realm's, another realm's, or a promise library's. Code that awaits
 * what user code returns only when it is asynchronous checks this, not `instanceof Promise`.
 */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
