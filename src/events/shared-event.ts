/**
 * A flag that can be set, cleared and waited on from any thread: the cross-boundary
 * event behind control events (`setup`, `execute`, `stop`) and state events
 * (`started`, `ready`, `closed`).
 *
 * It lives in a SharedArrayBuffer, so a worker thread sees a `set()` made by the
 * orchestrator (and the other way round) without a message. Process agents get a
 * mirror kept in step over IPC (see `runtime/event-mirror.ts`).
 */

import { InvalidOptionError } from '../errors.ts';

const UNSET = 0;
const SET = 1;

/*
 * The state is one 32-bit integer: the value in its lowest bit, and above it a count of changes.
 * Every set or clear that changes the value bumps the count, so a waiter that finds the state
 * different from what it started with knows the value changed meanwhile, even if it has changed
 * back since: a set() followed at once by a clear() still releases everyone waiting, as a
 * threading.Event does, and Atomics.waitAsync never sleeps through such a pulse (it sleeps only
 * while the integer is the one it was given).
 */
const valueIn = (state: number): number => state & 1;
/** `state` with `value`, one change further (wrapping around at 2^31 changes). */
const changed = (state: number, value: number): number => (((state >> 1) + 1) << 1) | value | 0;

export interface WaitOptions {
  /** Give up after this many ms and resolve `false`. Default: wait forever. */
  timeout?: number;
  /** Give up when aborted and resolve `false`. */
  signal?: AbortSignal;
}

/**
 * Neither a pending Atomics.waitAsync nor a pending promise keeps Node's event loop alive; a timer
 * does. One timer holds the loop open for all of this thread's keep-alive waits, however many: it
 * is made once and only ref'd and unref'd after (cheap, where a new timer per wait is not).
 */
let keptAlive = 0;
let keeper: ReturnType<typeof setInterval> | undefined;
/** @internal Holds the loop open until a matching `releaseLoop()` (for `whenSet`-style watches). */
export const holdLoop = (): void => {
  if (keptAlive++ > 0) return;
  if (keeper) keeper.ref();
  else keeper = setInterval(() => {}, 2 ** 30);
};
/** @internal */
export const releaseLoop = (): void => {
  if (--keptAlive === 0) keeper?.unref();
};

/** One `whenSet` listener: `end` stops its wait on shared memory. */
interface SetWatch {
  pending: boolean;
  fire: () => void;
  end: (() => void) | undefined;
}

export class SharedEvent {
  /**
   * The value itself while the event has not been shared (a plain field, no memory of its own);
   * once it is shared with another thread (or built on another's buffer), the shared memory.
   * One field for both: an agent has seven events, and most never leave their thread.
   */
  #state: number | Int32Array;
  /** Wakes waiters of this thread: on every local change, on abort, and when the event becomes shared. */
  #wake: { promise: Promise<void>; resolve: () => void } | undefined;
  #onLocalChange: ((value: boolean) => void) | undefined;
  /** `whenSet` listeners of an unshared event, called when this thread sets it. */
  #onSet: SetWatch[] | undefined;

  /** @param initial start set (`true`) or cleared (`false`, default). Or a buffer from `buffer` of another SharedEvent. */
  constructor(initial: boolean | SharedArrayBuffer = false) {
    if (initial instanceof SharedArrayBuffer && initial.byteLength >= Int32Array.BYTES_PER_ELEMENT) {
      this.#state = new Int32Array(initial);
    } else if (typeof initial === 'boolean') {
      this.#state = initial ? SET : UNSET;
    } else {
      // A string 'false' or a 1 would pass for a value and start the event set.
      throw new InvalidOptionError('initial', initial, 'true, false, or the buffer of another SharedEvent');
    }
    this.#wake = undefined;
    this.#onLocalChange = undefined;
    this.#onSet = undefined;
  }

  /**
   * The shared memory behind this event; pass it to another thread to share the event. An event
   * only moves into a SharedArrayBuffer when this is first read: events that never leave their
   * thread (every inline agent's) cost no shared memory and are woken without `Atomics.waitAsync`.
   */
  get buffer(): SharedArrayBuffer {
    if (typeof this.#state === 'number') {
      const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      state[0] = this.#state;
      this.#state = state;
      this.#wakeLocal(); // local waiters switch to waiting on the shared memory
      const listeners = this.#onSet;
      this.#onSet = undefined;
      for (const watch of listeners ?? []) this.#watchShared(watch);
    }
    return this.#state.buffer as SharedArrayBuffer;
  }

  isSet(): boolean {
    return valueIn(this.#read()) === SET;
  }

  set(): void {
    this.#write(true, true);
  }

  clear(): void {
    this.#write(false, true);
  }

  /**
   * Resolves `true` as soon as the event is set (at once if it already is), or `false`
   * when `timeout` ms pass or `signal` aborts first. A pending wait keeps the process alive.
   */
  wait(timeoutOrOptions?: number | WaitOptions): Promise<boolean> {
    let options: WaitOptions;
    try {
      options = waitOptions(timeoutOrOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#waitFor(SET, options, true);
  }

  /**
   * @internal The state now, for `waitSince`: a set (even one cleared at once) after this moment
   * releases a `waitSince` given it, however late that wait begins.
   */
  mark(): number {
    return this.#read();
  }

  /**
   * @internal `wait`, counting a set from `mark` on (the lifecycle marks its gates before it says
   * it reached them); without a mark, from now.
   */
  waitSince(mark: number | undefined, options: WaitOptions): Promise<boolean> {
    return this.#waitFor(SET, options, true, mark);
  }

  /** @internal Resolves when the value differs from `known`; does not keep the process alive. */
  changed(known: boolean, signal?: AbortSignal): Promise<boolean> {
    return this.#waitFor(known ? UNSET : SET, { signal }, false).then(() => this.isSet());
  }

  /**
   * @internal Calls `listener` once, in a microtask, when the event is set (soon, if it already is),
   * unless the returned function was called first; the process stays alive until one of the two.
   * The lifecycle's stop watch: on an event that never left its thread (every inline agent's, and
   * a process agent's mirrors) it is one array entry, where a `wait()` is an async loop and promises.
   */
  whenSet(listener: () => void): () => void {
    // Called later, in a microtask: a listener that is not a function would throw there, uncaught.
    if (typeof listener !== 'function') throw new InvalidOptionError('listener', listener, 'a function');
    holdLoop();
    const watch: SetWatch = {
      pending: true,
      fire: () => {
        if (!watch.pending) return;
        watch.pending = false;
        releaseLoop();
        listener();
      },
      end: undefined,
    };
    if (valueIn(this.#read()) === SET) queueMicrotask(watch.fire);
    else if (this.#shared()) this.#watchShared(watch);
    else if (this.#onSet) this.#onSet.push(watch);
    else this.#onSet = [watch];
    return () => {
      if (!watch.pending) return;
      watch.pending = false;
      releaseLoop();
      const listeners = this.#onSet;
      const index = listeners ? listeners.indexOf(watch) : -1;
      if (index >= 0) {
        listeners!.splice(index, 1);
        // The event outlives its runs (it is the agent's): an emptied array goes with its last
        // listener. Left on the event (old, once promoted), it made every run's objects survive
        // two scavenges and be promoted too: 2.6 KB per inline agent, 4 µs of its 13.
        if (listeners!.length === 0) this.#onSet = undefined;
      }
      watch.end?.();
    };
  }

  /** @internal Applies a value that came from a mirror, without reporting it back. */
  applyRemote(value: boolean): void {
    this.#write(value, false);
  }

  /** @internal Called after every local `set`/`clear` (used by process mirrors). */
  onLocalChange(listener: ((value: boolean) => void) | undefined): void {
    this.#onLocalChange = listener;
  }

  /** The shared memory, once the event has been shared. */
  #shared(): Int32Array | undefined {
    const state = this.#state;
    return typeof state === 'number' ? undefined : state;
  }

  #read(): number {
    const state = this.#state;
    return typeof state === 'number' ? state : Atomics.load(state, 0);
  }

  #write(value: boolean, local: boolean): void {
    const next = value ? SET : UNSET;
    const shared = this.#shared();
    let previous: number;
    if (shared) {
      // Another thread may change it between the read and the write: try again until ours lands.
      for (;;) {
        previous = Atomics.load(shared, 0);
        if (valueIn(previous) === next) break;
        if (Atomics.compareExchange(shared, 0, previous, changed(previous, next)) === previous) {
          Atomics.notify(shared, 0);
          break;
        }
      }
    } else {
      previous = this.#state as number;
      if (valueIn(previous) !== next) this.#state = changed(previous, next);
    }
    if (valueIn(previous) !== next) {
      this.#wakeLocal();
      const listeners = next === SET ? this.#onSet : undefined;
      if (listeners) {
        this.#onSet = undefined;
        for (const watch of listeners) queueMicrotask(watch.fire);
      }
    }
    if (local) this.#onLocalChange?.(value);
  }

  #wakeLocal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.resolve();
  }

  /** A promise this thread's next change (or abort, or sharing) resolves. */
  #localChange(): Promise<void> {
    if (!this.#wake) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#wake = { promise, resolve };
    }
    return this.#wake.promise;
  }

  /** A `whenSet` on shared memory: another thread may set it, so wait for it (until cancelled). */
  #watchShared(watch: SetWatch): void {
    const until = new Promise<void>((resolve) => {
      watch.end = resolve;
    });
    void this.#waitLoop(SET, this.#read(), { until }, false).then((seen) => {
      if (seen) watch.fire();
    });
  }

  #waitFor(
    target: number,
    options: WaitOptions & { until?: Promise<unknown> },
    keepAlive: boolean,
    since?: number,
  ): Promise<boolean> {
    // Already there (or was, since `since`), or given up before it began: no async function, no timer.
    const current = this.#read();
    const start = since ?? current;
    if (valueIn(current) === target || current !== start) return Promise.resolve(true);
    if (options.signal?.aborted || options.timeout === 0) return Promise.resolve(false);
    return this.#waitLoop(target, start, options, keepAlive);
  }

  /** Until the value is `target`, or has been since the state was `start` (a pulse). */
  async #waitLoop(
    target: number,
    start: number,
    { timeout, signal, until }: WaitOptions & { until?: Promise<unknown> },
    keepAlive: boolean,
  ): Promise<boolean> {
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeout;
    const held = keepAlive && timeout === undefined;
    if (held) holdLoop();
    let aborted = false;
    let over = false;
    const onAbort = () => {
      if (over) return; // `until` settled after this wait ended: nothing to wake
      aborted = true;
      const shared = this.#shared();
      if (shared) Atomics.notify(shared, 0);
      this.#wakeLocal();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    until?.then(onAbort, onAbort);
    try {
      for (;;) {
        const current = this.#read();
        // The value is there, or was since the wait began (set, then cleared before we looked).
        if (valueIn(current) === target || current !== start) return true;
        if (aborted) return false;
        // No clock for waits without a deadline: `performance` loads nine of Node's modules in a fresh isolate.
        const finite = deadline !== Number.POSITIVE_INFINITY;
        const remaining = finite ? deadline - performance.now() : Number.POSITIVE_INFINITY;
        if (remaining <= 0) return false;
        const shared = this.#shared();
        if (!shared) {
          // Only this thread can change it: wait for a local change, or the deadline.
          const timer = finite ? setTimeout(() => this.#wakeLocal(), Math.ceil(remaining)) : undefined;
          if (timer && !keepAlive) timer.unref();
          await this.#localChange();
          clearTimeout(timer);
          continue;
        }
        const result = Atomics.waitAsync(shared, 0, current, finite ? Math.ceil(remaining) : undefined);
        if (result.async) {
          // Keep a timed wait alive with a real timer: waitAsync's own timeout does not hold the loop open.
          const timer = keepAlive && finite ? setTimeout(() => {}, Math.ceil(remaining)) : undefined;
          // A change or abort on this thread wakes us in a microtask: waitAsync resolves only in a
          // later task (~1 ms in a fresh isolate). Every local wake also notifies, so the
          // outstanding waitAsync still settles.
          await Promise.race([result.value, this.#localChange()]);
          clearTimeout(timer);
        }
      }
    } finally {
      over = true;
      if (held) releaseLoop();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * `wait`'s argument as options: a timeout in ms (negative: already passed), or `{ timeout, signal }`.
 * Throws `InvalidOptionError` naming the field: a timeout of NaN or a string would wait forever.
 */
function waitOptions(given: unknown): WaitOptions {
  if (given === undefined) return {};
  const options: WaitOptions = typeof given === 'number' ? { timeout: given } : (given as WaitOptions);
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('wait', given, 'a timeout in ms, or { timeout?, signal? }');
  }
  const { timeout, signal } = options;
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
    throw new InvalidOptionError('timeout', timeout, 'a number of ms (Infinity: no limit), or undefined');
  }
  if (
    signal !== undefined &&
    (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')
  ) {
    throw new InvalidOptionError('signal', signal, 'an AbortSignal, or undefined');
  }
  return options;
}

export type ControlEventName = 'setup' | 'execute' | 'stop';
export type StateEventName = 'started' | 'ready' | 'closed';
export type ControlEvents = Record<ControlEventName, SharedEvent>;
export type StateEvents = Record<StateEventName, SharedEvent>;
export type AgentEventName = ControlEventName | StateEventName;

export const CONTROL_EVENT_NAMES: readonly ControlEventName[] = ['setup', 'execute', 'stop'];
export const STATE_EVENT_NAMES: readonly StateEventName[] = ['started', 'ready', 'closed'];
