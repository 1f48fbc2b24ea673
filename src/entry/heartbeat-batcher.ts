/**
 * Sends an agent's messages to the orchestrator, carrying bursts of heartbeats together.
 *
 * A thread or process pays Node's fixed cost per message on both ends (about 1.5 µs to receive one
 * here), which is most of what a heartbeat costs. So a heartbeat that comes less than `windowMs`
 * after the previous heartbeat waits, with any that follow, and they go as one `heartbeats`
 * message when the agent yields (a microtask), when `windowMs` has passed since the first of them
 * (checked at the next heartbeat), when `maxBatch` wait, or before any other message (order is
 * kept). The first heartbeat after a quiet spell always goes at once, so an agent busy in
 * synchronous code is still seen alive. Only heartbeats wait: they carry a number, so a batch can
 * always be sent, and losing the last few to a crash loses nothing that matters.
 */
import type { ChildMessage } from '../protocol/messages.ts';

export interface HeartbeatBatcherOptions {
  /** Heartbeats closer together than this are batched. Default 1 ms. */
  windowMs?: number;
  /** Most heartbeats in one message. Default 512. */
  maxBatch?: number;
  /** The clock, in ms (tests). Default: the monotonic `process.hrtime` (`performance` loads nine of Node's modules). */
  now?: () => number;
}

export class HeartbeatBatcher {
  readonly #post: (message: ChildMessage) => void;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  readonly #now: () => number;
  #sequences: number[] = [];
  #batchStart = 0;
  #lastBeat = -Infinity;
  #flushQueued = false;
  readonly #flushTask = () => {
    this.#flushQueued = false;
    this.flush();
  };

  constructor(post: (message: ChildMessage) => void, options: HeartbeatBatcherOptions = {}) {
    this.#post = post;
    this.#windowMs = options.windowMs ?? 1;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#now = options.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
  }

  /** Sends `message`, or holds it if it is a heartbeat in a burst. Throws if it cannot be cloned. */
  send(message: ChildMessage): void {
    if (message.type !== 'heartbeat') {
      this.flush();
      this.#post(message);
      return;
    }
    const now = this.#now();
    if (this.#sequences.length === 0) {
      if (now - this.#lastBeat >= this.#windowMs) {
        this.#post(message);
        this.#lastBeat = now;
        return;
      }
      this.#batchStart = now;
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(this.#flushTask);
      }
    }
    this.#sequences.push(message.sequence);
    if (this.#sequences.length >= this.#maxBatch || now - this.#batchStart >= this.#windowMs) this.flush();
  }

  /** Sends the heartbeats held, if any. */
  flush(): void {
    const sequences = this.#sequences;
    if (sequences.length === 0) return;
    this.#sequences = [];
    this.#post(
      sequences.length === 1
        ? { type: 'heartbeat', sequence: sequences[0]! }
        : { type: 'heartbeats', sequences },
    );
    this.#lastBeat = this.#now();
  }
}
