/**
 * The abort of one run: an `AbortController` whose signal is made only when someone reads it. Most
 * short agents never look at their `signal`, and an `AbortSignal` is an `EventTarget` (~0.1 KB and
 * ~0.1 µs to make, for each of 100,000 runs); whether the run was aborted is known without one.
 */
export class RunAbort {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  /** The run's signal, made now if it was not (aborted already, with its reason, if the run was). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Aborts the run (its signal, if made, fires now); later calls change nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
