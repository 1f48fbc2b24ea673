/**
 * One agent's seven events: its control events (`setup`, `execute`, `stop`), its state events
 * (`started`, `ready`, `closed`) and the orchestrator's private `stopRequested`. Each `SharedEvent`
 * is made only when something asks for it (the user, through `entry.controlEvents` or the agent's
 * own `this.stateEvents`; a thread or process run, which shares them all). Until then its value is
 * a bit here, and the lifecycle sets, reads and watches it through `set`, `isSet` and `whenAnySet`
 * by name: an inline agent nobody gates or watches makes none. Seven events and their two records
 * were 544 bytes of every registered agent, most of what a scavenge copied for it.
 */
import {
  CONTROL_EVENT_NAMES,
  type ControlEvents,
  holdLoop,
  releaseLoop,
  SharedEvent,
  STATE_EVENT_NAMES,
  type StateEvents,
} from './shared-event.ts';

export type AgentEventKey = keyof ControlEvents | keyof StateEvents | 'stopRequested';

/** The values of an agent's events, one bit each (`AgentEvents.bits`). */
export type EventBits = number;

/** Every key, in the order of the bits that stand for them. */
export const AGENT_EVENT_KEYS: readonly AgentEventKey[] = [
  ...CONTROL_EVENT_NAMES,
  ...STATE_EVENT_NAMES,
  'stopRequested',
];
const BIT = Object.fromEntries(AGENT_EVENT_KEYS.map((key, index) => [key, 1 << index])) as Record<
  AgentEventKey,
  number
>;
/** The gates are open and nothing else is set: a new agent's events. */
export const DEFAULT_BITS: EventBits = BIT.setup | BIT.execute;
/** What a new run starts from: the states and the stop request cleared. */
const RUN_STATE_BITS = BIT.started | BIT.ready | BIT.closed | BIT.stopRequested;

/** A `whenAnySet` on events not made yet. */
interface PendingWatch {
  /** The bits of the events it watches. */
  bits: number;
  listener: () => void;
  /** Once one of its events is made, the watch lives on the events: this cancels it. */
  moved: (() => void) | undefined;
}

export class AgentEvents {
  /** The values of the events not made yet, one bit each. */
  #bits: EventBits;
  /** The events made so far, by key index. */
  #made: (SharedEvent | undefined)[] | undefined;
  #pending: PendingWatch[] | undefined;
  #control: ControlEvents | undefined;
  #state: StateEvents | undefined;

  /**
   * `control`, `state`: events the user passed at registration (or, from a thread or process host,
   * all seven in one record); the others are made when asked for.
   */
  constructor(
    control?: Partial<Record<AgentEventKey, SharedEvent>>,
    state?: Partial<StateEvents>,
    bits: EventBits = DEFAULT_BITS,
  ) {
    this.#bits = bits;
    this.#take(control);
    this.#take(state);
  }

  /**
   * The values of its events as bits, while they are nothing more: none of them made (so nothing
   * outside holds one) and nothing watching them. A new `AgentEvents` from these bits (and the
   * same given events) is then the same as this one, and this one need not be kept.
   */
  get bits(): EventBits | undefined {
    return this.#made === undefined && this.#pending === undefined ? this.#bits : undefined;
  }

  /** Whether `key` is set in `bits`. */
  static isSetIn(bits: EventBits, key: AgentEventKey): boolean {
    return (bits & BIT[key]) !== 0;
  }

  /** `bits` as a new run starts (see `resetRun`). */
  static resetBits(bits: EventBits): EventBits {
    return bits & ~RUN_STATE_BITS;
  }

  /** The event itself, made now if it was not. */
  get(key: AgentEventKey): SharedEvent {
    const slots = this.#slots();
    const at = index(key);
    const made = slots[at];
    if (made) return made;
    const event = new SharedEvent((this.#bits & BIT[key]) !== 0);
    slots[at] = event;
    // Watches waiting on its bit move onto the events, all of theirs (made now too).
    const pending = this.#pending;
    if (pending?.some((watch) => watch.bits & BIT[key])) {
      this.#pending = undefined;
      for (const watch of pending) {
        if (!(watch.bits & BIT[key])) this.#keep(watch);
        else {
          watch.moved = this.#watchMade(watch.bits, watch.listener);
          releaseLoop(); // the events' own watches hold the loop now
        }
      }
    }
    return event;
  }

  /** `key`'s event's `mark()` when it is made (someone else may set it), else `undefined`. */
  mark(key: AgentEventKey): number | undefined {
    return this.#made?.[index(key)]?.mark();
  }

  /** Waits for `key` to be set, counting a set from `mark` on (`SharedEvent.waitSince`). */
  waitSince(key: AgentEventKey, mark: number | undefined, signal: AbortSignal): Promise<boolean> {
    return this.get(key).waitSince(mark, { signal });
  }

  isSet(key: AgentEventKey): boolean {
    const made = this.#made?.[index(key)];
    return made ? made.isSet() : (this.#bits & BIT[key]) !== 0;
  }

  set(key: AgentEventKey): void {
    const made = this.#made?.[index(key)];
    if (made) {
      made.set();
      return;
    }
    if (this.#bits & BIT[key]) return;
    this.#bits |= BIT[key];
    const pending = this.#pending;
    if (!pending) return;
    // Most sets have no watch (the lifecycle setting its states while its stop watches wait): no allocation.
    let watching = 0;
    for (const watch of pending) if (watch.bits & BIT[key]) watching++;
    if (watching === 0) return;
    this.#pending =
      watching === pending.length ? undefined : pending.filter((watch) => !(watch.bits & BIT[key]));
    for (const watch of pending) {
      if (!(watch.bits & BIT[key])) continue;
      queueMicrotask(() => {
        // Cancelled between the set and this microtask: not called.
        if (watch.moved) return;
        watch.moved = NOTHING;
        releaseLoop();
        watch.listener();
      });
    }
  }

  clear(key: AgentEventKey): void {
    const made = this.#made?.[index(key)];
    if (made) made.clear();
    else this.#bits &= ~BIT[key];
  }

  /** A new run: `started`, `ready`, `closed` and `stopRequested` cleared. */
  resetRun(): void {
    this.#bits &= ~RUN_STATE_BITS;
    for (const key of AGENT_EVENT_KEYS) if (BIT[key] & RUN_STATE_BITS) this.#made?.[index(key)]?.clear();
  }

  /**
   * `listener` is called once, in a microtask, when any of the events named is set (soon, if one
   * already is), unless the returned function was called first: `SharedEvent.whenSet` over several
   * events (the lifecycle's stop watch: `stop` or `stopRequested`). Events not made yet are not
   * made for this (unless one is set already): the watch is one entry here until one of them is
   * set or made.
   */
  whenAnySet(keys: readonly AgentEventKey[], listener: () => void): () => void {
    let bits = 0;
    let made = false;
    for (const key of keys) {
      bits |= BIT[key];
      if (this.#made?.[index(key)]) made = true;
    }
    if (made || this.#bits & bits) return this.#watchMade(bits, listener);
    holdLoop();
    const watch: PendingWatch = { bits, listener, moved: undefined };
    this.#keep(watch);
    return () => {
      if (watch.moved) return watch.moved();
      watch.moved = NOTHING;
      releaseLoop();
      const pending = this.#pending;
      const at = pending ? pending.indexOf(watch) : -1;
      if (at < 0) return;
      // The events outlive the run: an emptied array must not hold on to it (see SharedEvent.whenSet).
      if (pending!.length === 1) this.#pending = undefined;
      else pending!.splice(at, 1);
    };
  }

  /** `setup`, `execute` and `stop`, made. One record, the same every time. */
  get control(): ControlEvents {
    this.#control ??= { setup: this.get('setup'), execute: this.get('execute'), stop: this.get('stop') };
    return this.#control;
  }

  /** `started`, `ready` and `closed`, made. One record, the same every time. */
  get state(): StateEvents {
    this.#state ??= { started: this.get('started'), ready: this.get('ready'), closed: this.get('closed') };
    return this.#state;
  }

  /** All seven, made: what a thread or process run shares. */
  all(): Record<AgentEventKey, SharedEvent> {
    return Object.fromEntries(AGENT_EVENT_KEYS.map((key) => [key, this.get(key)])) as Record<
      AgentEventKey,
      SharedEvent
    >;
  }

  #keep(watch: PendingWatch): void {
    if (this.#pending) this.#pending.push(watch);
    else this.#pending = [watch];
  }

  /** A watch over the events of `bits`, made: the first to fire ends the others. */
  #watchMade(bits: number, listener: () => void): () => void {
    let over = false;
    const cancels: (() => void)[] = [];
    const cancel = () => {
      over = true;
      for (const end of cancels) end();
    };
    for (const key of AGENT_EVENT_KEYS) {
      if (!(bits & BIT[key])) continue;
      cancels.push(
        this.get(key).whenSet(() => {
          if (over) return;
          cancel();
          listener();
        }),
      );
    }
    return cancel;
  }

  /** The events given (validated records: nothing but event keys), by the keys they have. */
  #take(given: Partial<Record<AgentEventKey, SharedEvent>> | undefined): void {
    // Most agents are given none (a shared empty record): no look-up of each of the seven keys.
    for (const key in given) {
      const event = given[key as AgentEventKey];
      if (event && Object.hasOwn(BIT, key)) this.#slots()[index(key as AgentEventKey)] = event;
    }
  }

  #slots(): (SharedEvent | undefined)[] {
    this.#made ??= [undefined, undefined, undefined, undefined, undefined, undefined, undefined];
    return this.#made;
  }
}

/** The slot of `key`'s event: the position of its bit. */
const index = (key: AgentEventKey): number => 31 - Math.clz32(BIT[key]);

/** A watch that is over: fired or cancelled. */
const NOTHING = () => {};
