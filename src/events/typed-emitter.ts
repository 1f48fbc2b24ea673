import { EventEmitter, on as eventsOn } from 'node:events';

type Listener<T> = (payload: T) => void;
type WildcardListener<M> = (event: { [K in keyof M]: { type: K; payload: M[K] } }[keyof M]) => void;

/**
 * A typed emitter over an event map. A listener that throws never breaks the emitter
 * or the other listeners: the error goes to `onListenerError`.
 */
export class TypedEmitter<M extends object> {
  readonly #listeners = new Map<keyof M, Set<Listener<never>>>();
  readonly #wildcard = new Set<WildcardListener<M>>();
  readonly #onceWrappers = new Map<keyof M, WeakMap<Listener<never>, Listener<never>>>();
  readonly #bridge = new EventEmitter();
  readonly #onListenerError: (error: unknown, event: keyof M) => void;

  constructor(onListenerError: (error: unknown, event: keyof M) => void) {
    this.#onListenerError = onListenerError;
    this.#bridge.setMaxListeners(0);
  }

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): this;
  on(event: '*', listener: WildcardListener<M>): this;
  on(event: keyof M | '*', listener: Listener<never> | WildcardListener<M>): this {
    if (event === '*') this.#wildcard.add(listener as WildcardListener<M>);
    else this.#set(event).add(listener as Listener<never>);
    return this;
  }

  once<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    const wrapper: Listener<M[K]> = (payload) => {
      this.off(event, listener);
      listener(payload);
    };
    let wrappers = this.#onceWrappers.get(event);
    if (!wrappers) {
      wrappers = new WeakMap();
      this.#onceWrappers.set(event, wrappers);
    }
    wrappers.set(listener as Listener<never>, wrapper as Listener<never>);
    return this.on(event, wrapper);
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): this;
  off(event: '*', listener: WildcardListener<M>): this;
  off(event: keyof M | '*', listener: Listener<never> | WildcardListener<M>): this {
    if (event === '*') {
      this.#wildcard.delete(listener as WildcardListener<M>);
      return this;
    }
    const set = this.#listeners.get(event);
    const wrapper = this.#onceWrappers.get(event)?.get(listener as Listener<never>);
    set?.delete(listener as Listener<never>);
    if (wrapper) set?.delete(wrapper);
    return this;
  }

  /** Resolves with the next payload of `event`; rejects if `signal` aborts first. */
  next<K extends keyof M>(event: K, signal?: AbortSignal): Promise<M[K]> {
    return new Promise((resolve, reject) => {
      const listener: Listener<M[K]> = (payload) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(payload);
      };
      const onAbort = () => {
        this.off(event, listener);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.once(event, listener);
    });
  }

  /** Every event from now on (subscribed at this call), as an async iterator; ends when `signal` aborts or the loop breaks. */
  stream(signal?: AbortSignal): AsyncGenerator<{ [K in keyof M]: { type: K; payload: M[K] } }[keyof M]> {
    const iterator = signal?.aborted ? undefined : eventsOn(this.#bridge, 'event', signal ? { signal } : {});
    return (async function* () {
      if (!iterator) return;
      try {
        for await (const [event] of iterator) yield event;
      } catch (error) {
        if (!(signal?.aborted && (error as Error).name === 'AbortError')) throw error;
      }
    })();
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners.get(event);
    // A copy when there are several: a listener may add or remove listeners while we go.
    if (set?.size === 1) for (const listener of set) this.#call(event, listener as Listener<M[K]>, payload);
    else if (set) for (const listener of [...set]) this.#call(event, listener as Listener<M[K]>, payload);
    if (this.#wildcard.size > 0) {
      const tagged = { type: event, payload } as Parameters<WildcardListener<M>>[0];
      for (const listener of [...this.#wildcard]) this.#call(event, listener as Listener<unknown>, tagged);
    }
    if (this.#bridge.listenerCount('event') > 0) this.#bridge.emit('event', { type: event, payload });
  }

  /** Whether an emit of `event` would reach anyone: its own listeners, a wildcard or a stream. */
  listening(event: keyof M): boolean {
    return (
      (this.#listeners.get(event)?.size ?? 0) > 0 ||
      this.#wildcard.size > 0 ||
      this.#bridge.listenerCount('event') > 0
    );
  }

  listenerCount(event: keyof M): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  #set(event: keyof M): Set<Listener<never>> {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    return set;
  }

  #call<T>(event: keyof M, listener: Listener<T>, argument: T): void {
    try {
      const returned = listener(argument) as unknown;
      if (returned instanceof Promise)
        returned.catch((error: unknown) => this.#onListenerError(error, event));
    } catch (error) {
      this.#onListenerError(error, event);
    }
  }
}
