/**
 * Warm reuse: threads and processes that ran an agent well stay up and run the next one, so short
 * agents skip the isolate or process start-up and the module loading. Each run is still a fresh
 * agent instance with its own events, lifecycle and reports; what carries over is the thread or
 * process and the modules it loaded (and any global state an agent leaves behind, as in any
 * worker pool). A thread or process is retired after `maxRuns` runs, when its memory passes
 * `maxMemoryMb`, after `idleTimeoutMs` without work, and whenever a run fails or is killed.
 * Idle ones are unref'd: they never keep the host process up.
 */
import type { AgentRuntime, LaunchRequest, RuntimeHandlers } from './agent-runtime.ts';
import { type HostMode, RemoteHost } from './remote-host.ts';

export interface ReuseOptions {
  /** Retire a thread or process after this many runs. Default 100. */
  maxRuns: number;
  /** Retire it once its memory passes this after a run (a thread's heap, a process's RSS), MB. Default 512. */
  maxMemoryMb: number;
  /** Retire an idle one after this long without work, ms. Default 5000. */
  idleTimeoutMs: number;
}

/** A host of the pool, with its bookkeeping. */
interface Slot {
  readonly key: string;
  readonly host: RemoteHost;
  runs: number;
  /** The killTimeout of the last run it took, for retiring a process. */
  killTimeout: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class WarmPool {
  readonly #idle = new Map<string, Slot[]>();
  readonly #slots = new Set<Slot>();

  /** Runs the agent on an idle thread or process of its kind, or on a new one. */
  launch(
    mode: HostMode,
    request: LaunchRequest,
    handlers: RuntimeHandlers,
    reuse: ReuseOptions,
  ): AgentRuntime {
    const key = `${mode}:${JSON.stringify(request.resourceLimits ?? {})}`;
    const slot = this.#idle.get(key)?.pop() ?? this.#create(key, mode, request);
    clearTimeout(slot.idleTimer);
    slot.killTimeout = request.killTimeout;
    slot.host.ref(true);
    const runtime = slot.host.start(request, handlers, (finished) => {
      // A failed run's thread or process exits by itself; one that went well can take another run.
      slot.runs++;
      if (finished.exitCode !== null) this.#unpark(slot);
      else if (slot.runs >= reuse.maxRuns || finished.memoryMb > reuse.maxMemoryMb) this.#retire(slot);
      // Parked before the run's end is told: the end frees a slot, and the agent launched into it takes this one.
      else this.#park(slot, reuse.idleTimeoutMs);
    });
    // The pool owns the thread or process beyond the run; close() waits for it.
    return { ...runtime, exited: undefined };
  }

  /** Ends every thread and process of the pool, busy or idle; resolves once they are gone. */
  async close(): Promise<void> {
    const slots = [...this.#slots];
    for (const slot of slots) this.#retire(slot);
    await Promise.all(slots.map((slot) => slot.host.exited));
  }

  #create(key: string, mode: HostMode, request: LaunchRequest): Slot {
    const slot: Slot = {
      key,
      host: new RemoteHost(mode, request, true),
      runs: 0,
      killTimeout: request.killTimeout,
      idleTimer: undefined,
    };
    slot.host.onEnd = () => {
      this.#unpark(slot);
      this.#slots.delete(slot);
    };
    this.#slots.add(slot);
    return slot;
  }

  /** Idle: unref'd (it never holds the host up) and retired if no work comes in time. */
  #park(slot: Slot, idleTimeoutMs: number): void {
    slot.host.ref(false);
    const idle = this.#idle.get(slot.key) ?? [];
    idle.push(slot);
    this.#idle.set(slot.key, idle);
    slot.idleTimer = setTimeout(() => this.#retire(slot), idleTimeoutMs).unref();
  }

  #retire(slot: Slot): void {
    this.#unpark(slot);
    slot.host.end(slot.killTimeout);
  }

  #unpark(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    const idle = this.#idle.get(slot.key);
    const index = idle?.indexOf(slot) ?? -1;
    if (idle && index >= 0) idle.splice(index, 1);
  }
}
