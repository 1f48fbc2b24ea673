/**
 * A list in arrival order that is used up from the front. Passing items at the front moves an
 * index instead of shifting or filtering the array at every step; the passed part is cut off in
 * one copy once it is half of the array, so each item costs O(1), amortised. The history's rule
 * queues and the restart window are both lists of this kind.
 */
export class FrontQueue<T> {
  #items: T[] = [];
  #head = 0;

  /** Items not passed yet. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The first item not passed, if any. */
  first(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Passes items at the front while `passed` says so. */
  passWhile(passed: (item: T) => boolean): void {
    const items = this.#items;
    while (this.#head < items.length && passed(items[this.#head]!)) this.#head++;
    if (this.#head > 32 && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Keeps only the items `keep` accepts, in order. O(size). */
  keep(keep: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter(keep);
    this.#head = 0;
  }

  /** The items not passed, newest first. */
  *newestFirst(): Generator<T> {
    for (let at = this.#items.length - 1; at >= this.#head; at--) yield this.#items[at]!;
  }
}
