/**
 * The concurrency limit: at most `maxWorkers` agents hold a slot; the rest wait in a queue
 * ordered by priority (higher first), then by arrival. Driven by events: a freed slot is
 * refilled at once, there is no polling loop.
 */
export interface Schedulable {
  readonly priority: number;
  /** Arrival order; ties on priority go to the lower one. */
  readonly sequence: number;
}

export class Scheduler<T extends Schedulable> {
  /** Waiting items, in order, from `#head` on: taking the next one is O(1), not a shift of the array. */
  #queue: T[] = [];
  #head = 0;
  readonly #launch: (item: T) => void;
  #running = 0;
  #maxWorkers: number;

  constructor(maxWorkers: number, launch: (item: T) => void) {
    this.#maxWorkers = maxWorkers;
    this.#launch = launch;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** Changing the limit takes effect at once: a larger one starts waiting agents now. */
  set maxWorkers(value: number) {
    this.#maxWorkers = value;
    this.#pump();
  }

  /** Queues `item`; returns its position (0 = next). Starts it now if a slot is free. */
  enqueue(item: T): number {
    const index = this.#insertionPoint(item);
    if (index === this.#queue.length) this.#queue.push(item);
    else this.#queue.splice(index, 0, item);
    this.#pump();
    return index - this.#head;
  }

  /** Takes a waiting item out of the queue; false if it was not waiting. */
  remove(item: T): boolean {
    const index = this.#queue.indexOf(item, this.#head);
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    return true;
  }

  /** Removes and returns every waiting item. */
  drain(): T[] {
    const waiting = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    return waiting;
  }

  /** A running item ended: its slot goes to the next in the queue. */
  release(): void {
    this.#running--;
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#maxWorkers && this.#head < this.#queue.length) {
      const item = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as T; // let it be collected
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#running++;
      this.#launch(item);
    }
  }

  /**
   * Where `item` goes: after every item that runs before it. Most arrive in order (same priority,
   * a later sequence) and go at the end, found by looking at the last item only: a binary search
   * of a long queue reads ~17 items scattered through the heap, each a likely cache miss.
   */
  #insertionPoint(item: T): number {
    let low = this.#head;
    let high = this.#queue.length;
    if (low === high || runsBefore(this.#queue[high - 1]!, item)) return high;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (runsBefore(this.#queue[mid]!, item)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Higher priority first, then lower sequence (earlier queued). */
function runsBefore(first: Schedulable, second: Schedulable): boolean {
  return (
    first.priority > second.priority ||
    (first.priority === second.priority && first.sequence < second.sequence)
  );
}
