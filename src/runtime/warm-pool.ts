/**
 * Warm reuse: threads and processes that ran an agent well stay up and run the next one, so short
 * agents skip the isolate or process start-up and the module loading. Each run is still a fresh
 * agent instance with its own events, lifecycle and reports; what carries over is the thread or
 * process and the modules it loaded (and any global state an agent leaves behind, as in any
 * worker pool). A thread or process is retired after `maxRuns` runs, when its memory passes
 * `maxMemoryMb`, after `idleTimeoutMs` without work, and whenever a run fails or is killed.
 * Idle ones are unref'd: they never keep the host process up.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { isChildMessage, type ParentMessage } from '../protocol/messages.ts';
import {
  type AgentRuntime,
  eventHandles,
  type LaunchRequest,
  type RuntimeHandlers,
} from './agent-runtime.ts';
import { EventMirror } from './event-mirror.ts';
import { sendTo, spawnProcess, terminateProcess } from './process-runtime.ts';
import { spawnThread } from './thread-runtime.ts';

export interface ReuseOptions {
  /** Retire a thread or process after this many runs. Default 100. */
  maxRuns: number;
  /** Retire it once its memory passes this after a run (a thread's heap, a process's RSS), MB. Default 512. */
  maxMemoryMb: number;
  /** Retire an idle one after this long without work, ms. Default 5000. */
  idleTimeoutMs: number;
}

interface Run {
  handlers: RuntimeHandlers;
  reuse: ReuseOptions;
  killTimeout: number;
  mirror: EventMirror | undefined;
  forced: boolean;
}

interface Slot {
  readonly key: string;
  readonly mode: 'thread' | 'process';
  readonly worker: Worker | undefined;
  readonly child: ChildProcess | undefined;
  readonly outOfMemory: () => Error | undefined;
  runs: number;
  run: Run | undefined;
  crash: Error | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
}

export class WarmPool {
  readonly #idle = new Map<string, Slot[]>();
  readonly #slots = new Set<Slot>();

  /** Runs the agent on an idle thread or process of its kind, or on a new one. */
  launch(
    mode: 'thread' | 'process',
    request: LaunchRequest,
    handlers: RuntimeHandlers,
    reuse: ReuseOptions,
  ): AgentRuntime {
    const key = `${mode}:${JSON.stringify(request.resourceLimits ?? {})}`;
    const slot = this.#idle.get(key)?.pop() ?? this.#create(key, mode, request);
    clearTimeout(slot.idleTimer);
    slot.worker?.ref();
    slot.child?.ref();
    slot.child?.channel?.ref();
    const send = (message: ParentMessage) => this.#send(slot, message);
    const run: Run = {
      handlers,
      reuse,
      killTimeout: request.killTimeout,
      mirror: mode === 'process' ? new EventMirror(request.events, send) : undefined,
      forced: false,
    };
    slot.run = run;
    send({
      type: 'start',
      spec: request.spec,
      events: eventHandles(request.events, mode === 'thread' ? 'buffer' : 'value'),
      pooled: true,
    });
    return {
      mode,
      pid: slot.child?.pid ?? process.pid,
      threadId: slot.worker?.threadId,
      kill: () => {
        if (slot.run !== run) return;
        run.forced = true;
        this.#retire(slot);
      },
      // The pool owns the thread or process beyond the run; close() waits for it.
      exited: Promise.resolve(),
    };
  }

  /** Ends every thread and process of the pool, busy or idle; resolves once they are gone. */
  async close(): Promise<void> {
    const slots = [...this.#slots];
    for (const slot of slots) this.#retire(slot);
    await Promise.all(slots.map((slot) => slot.exited));
  }

  #create(key: string, mode: 'thread' | 'process', request: LaunchRequest): Slot {
    let worker: Worker | undefined;
    let child: ChildProcess | undefined;
    let outOfMemory = () => undefined as Error | undefined;
    if (mode === 'thread') worker = spawnThread(request.resourceLimits);
    else
      ({ child, outOfMemory } = spawnProcess(
        request.spec.name,
        request.resourceLimits?.maxOldGenerationSizeMb,
      ));
    let exited!: () => void;
    const slot: Slot = {
      key,
      mode,
      worker,
      child,
      outOfMemory,
      runs: 0,
      run: undefined,
      crash: undefined,
      idleTimer: undefined,
      killTimer: undefined,
      exited: new Promise((resolve) => {
        exited = resolve;
      }),
    };
    const onMessage = (message: unknown) => {
      if (isChildMessage(message)) this.#message(slot, message);
    };
    const onEnd = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      this.#ended(slot, exitCode, signal);
      exited();
    };
    if (worker) {
      worker.on('message', onMessage);
      worker.on('error', (error) => {
        slot.crash = error;
      });
      worker.once('exit', (exitCode) => onEnd(exitCode, null));
    } else if (child) {
      child.on('message', onMessage);
      child.on('error', (error) => {
        slot.crash = error;
      });
      // 'close', not 'exit': every message the child sent has been read by then.
      child.once('close', onEnd);
    }
    this.#slots.add(slot);
    return slot;
  }

  #message(slot: Slot, message: Parameters<RuntimeHandlers['message']>[0]): void {
    const run = slot.run;
    if (!run) return;
    if (message.type === 'event') {
      run.mirror?.apply(message.name, message.value);
    } else if (message.type === 'finished') {
      // The run is over for the orchestrator. A failed one's thread or process exits by itself;
      // one that went well can take another run.
      slot.run = undefined;
      slot.runs++;
      run.mirror?.close();
      if (message.exitCode !== null) this.#unpark(slot);
      else if (slot.runs >= run.reuse.maxRuns || message.memoryMb > run.reuse.maxMemoryMb) this.#retire(slot);
      // Parked first: the end below frees a slot, and the agent launched into it takes this one.
      else this.#park(slot, run.reuse.idleTimeoutMs);
      run.handlers.exit({ exitCode: message.exitCode ?? 0, signal: null, forced: run.forced });
    } else {
      run.handlers.message(message);
    }
  }

  /** Idle: unref'd (it never holds the host up) and retired if no work comes in time. */
  #park(slot: Slot, idleTimeoutMs: number): void {
    slot.worker?.unref();
    slot.child?.unref();
    slot.child?.channel?.unref();
    const idle = this.#idle.get(slot.key) ?? [];
    idle.push(slot);
    this.#idle.set(slot.key, idle);
    slot.idleTimer = setTimeout(() => this.#retire(slot), idleTimeoutMs).unref();
  }

  #retire(slot: Slot): void {
    this.#unpark(slot);
    if (slot.worker) void slot.worker.terminate();
    else if (slot.child) slot.killTimer ??= terminateProcess(slot.child, slot.run?.killTimeout ?? 2000);
  }

  #unpark(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    const idle = this.#idle.get(slot.key);
    const index = idle?.indexOf(slot) ?? -1;
    if (idle && index >= 0) idle.splice(index, 1);
  }

  #ended(slot: Slot, exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.#unpark(slot);
    clearTimeout(slot.killTimer);
    this.#slots.delete(slot);
    const run = slot.run;
    slot.run = undefined;
    if (!run) return;
    run.mirror?.close();
    const error = slot.outOfMemory() ?? slot.crash;
    run.handlers.exit({ exitCode, signal, forced: run.forced, ...(error ? { error } : {}) });
  }

  #send(slot: Slot, message: ParentMessage): void {
    if (slot.worker) slot.worker.postMessage(message);
    else if (slot.child) sendTo(slot.child, message);
  }
}
