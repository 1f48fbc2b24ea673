/**
 * Liveness. Termination is noticed at once by the runtimes; what needs a periodic look is an agent
 * that is still there but silent: one that sent heartbeats and then stopped. The check runs every
 * `checkInterval` ms only while such agents are live, on an unref'd timer (a watchdog never keeps
 * the process up), and reports each silence once.
 */
interface Beat {
  last: number;
  sequence: number;
  reported: boolean;
}

export class Watchdog<T> {
  readonly #beats = new Map<T, Beat>();
  readonly #checkInterval: number;
  readonly #silenceMs: number;
  readonly #onSilent: (subject: T, silentMs: number, lastSequence: number) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    checkInterval: number,
    intervalsOfSilence: number,
    onSilent: (subject: T, silentMs: number, lastSequence: number) => void,
  ) {
    this.#checkInterval = checkInterval;
    this.#silenceMs = checkInterval * intervalsOfSilence;
    this.#onSilent = onSilent;
  }

  beat(subject: T, sequence: number): void {
    const beat = this.#beats.get(subject);
    if (beat) {
      beat.last = performance.now();
      beat.sequence = sequence;
      beat.reported = false;
    } else {
      this.#beats.set(subject, { last: performance.now(), sequence, reported: false });
    }
    this.#timer ??= setInterval(() => this.#check(), this.#checkInterval).unref();
  }

  /** The subject ended: no more checks for it. */
  forget(subject: T): void {
    this.#beats.delete(subject);
    if (this.#beats.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = performance.now();
    for (const [subject, beat] of this.#beats) {
      const silentMs = now - beat.last;
      if (!beat.reported && silentMs >= this.#silenceMs) {
        beat.reported = true;
        this.#onSilent(subject, silentMs, beat.sequence);
      }
    }
  }
}
