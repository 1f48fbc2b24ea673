/**
 * A thread or a process running the agent host (entry/agent-host.ts), seen from the orchestrator:
 * it is spawned, told to `start` a run, reports what the run does, and ends. Fresh thread and
 * process agents use one host for one run; the warm pool keeps hosts for many runs. Either way
 * the same code routes the reports, mirrors a process's events and notices the end.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { type ChildMessage, isChildMessage, type ParentMessage } from '../protocol/messages.ts';
import {
  type AgentRuntime,
  eventHandles,
  type LaunchRequest,
  type RuntimeHandlers,
  type RuntimeLauncher,
} from './agent-runtime.ts';
import { EventMirror } from './event-mirror.ts';
import { sendTo, spawnProcess, terminateProcess } from './spawn-process.ts';
import { spawnThread } from './spawn-thread.ts';

export type HostMode = 'thread' | 'process';
export type FinishedMessage = Extract<ChildMessage, { type: 'finished' }>;

/** The run a host is busy with. */
interface Run {
  handlers: RuntimeHandlers;
  /** A process's events, kept in step over IPC (a thread shares its events' memory). */
  mirror: EventMirror | undefined;
  forced: boolean;
}

export class RemoteHost {
  readonly mode: HostMode;
  readonly #worker: Worker | undefined;
  readonly #child: ChildProcess | undefined;
  readonly #outOfMemory: () => Error | undefined;
  /** What the thread or process reported through its `error` event: a crash, a failed spawn. */
  #crash: Error | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #run: Run | undefined;
  /** Told that a run finished, before its handlers are: the pool decides what the host does next. */
  #finished: ((message: FinishedMessage) => void) | undefined;
  /** Resolves once the thread or process is gone. */
  readonly exited: Promise<void>;
  /** Told once the thread or process is gone. */
  onEnd: (() => void) | undefined;
  /** A pooled host stays up after a run that went well, for the next `start`. */
  readonly #pooled: boolean;
  /** The request whose `start` a thread was spawned with (in its `workerData`): not sent again. */
  #startedWith: LaunchRequest | undefined;

  /**
   * Spawns the thread or process for `first`, the request its first run will `start`. A thread
   * gets that run's `start` message with its `workerData`, so it can import the agent as soon as
   * it is up, without waiting a turn of its event loop for the message.
   */
  constructor(mode: HostMode, first: LaunchRequest, pooled: boolean) {
    this.mode = mode;
    this.#pooled = pooled;
    const { spec, resourceLimits } = first;
    if (mode === 'thread') {
      this.#worker = spawnThread(resourceLimits, this.#startMessage(first, 'buffer'));
      this.#startedWith = first;
      this.#outOfMemory = () => undefined;
    } else {
      const spawned = spawnProcess(spec.name, resourceLimits?.maxOldGenerationSizeMb);
      this.#child = spawned.child;
      this.#outOfMemory = spawned.outOfMemory;
    }
    const host = this.#worker ?? this.#child!;
    host.on('message', (message: unknown) => {
      if (isChildMessage(message)) this.#message(message);
    });
    host.on('error', (error: Error) => {
      this.#crash = error;
    });
    this.exited = new Promise((resolve) => {
      const ended = (exitCode: number | null, signal: NodeJS.Signals | null) => {
        this.#ended(exitCode, signal);
        resolve();
      };
      if (this.#worker) this.#worker.once('exit', (exitCode) => ended(exitCode, null));
      // 'close', not 'exit': every message the child sent has been read by then.
      else this.#child!.once('close', ended);
    });
  }

  get pid(): number {
    return this.#child ? (this.#child.pid ?? -1) : process.pid;
  }

  get threadId(): number | undefined {
    return this.#worker?.threadId;
  }

  /**
   * Starts a run. On a pooled host, `finished` is told how each run ended. Returns what the
   * orchestrator sees of the run; its `exited` is the host's.
   */
  start(
    request: LaunchRequest,
    handlers: RuntimeHandlers,
    finished?: (message: FinishedMessage) => void,
  ): AgentRuntime {
    const run: Run = {
      handlers,
      mirror: this.#child
        ? new EventMirror(request.events.all(), (message) => this.#send(message))
        : undefined,
      forced: false,
    };
    this.#run = run;
    this.#finished = finished;
    if (request === this.#startedWith) this.#startedWith = undefined;
    else this.#send(this.#startMessage(request, this.#worker ? 'buffer' : 'value'));
    return {
      mode: this.mode,
      pid: this.pid,
      threadId: this.threadId,
      kill: () => {
        if (this.#run !== run) return; // that run is over: the host may be running another
        run.forced = true;
        this.end(request.killTimeout);
      },
      exited: this.exited,
    };
  }

  /** Ends the thread (terminate) or the process (SIGTERM, then SIGKILL after `killTimeout`). */
  end(killTimeout: number): void {
    if (this.#worker) void this.#worker.terminate();
    else this.#killTimer ??= terminateProcess(this.#child!, killTimeout);
  }

  /** An idle host must not keep the orchestrator's process up; a busy one does. */
  ref(busy: boolean): void {
    const method = busy ? 'ref' : 'unref';
    this.#worker?.[method]();
    this.#child?.[method]();
    this.#child?.channel?.[method]();
  }

  #startMessage(request: LaunchRequest, events: 'buffer' | 'value'): ParentMessage {
    return {
      type: 'start',
      spec: request.spec,
      events: eventHandles(request.events.all(), events),
      ...(this.#pooled ? { pooled: true } : {}),
    };
  }

  #send(message: ParentMessage): void {
    if (this.#worker) this.#worker.postMessage(message);
    else sendTo(this.#child!, message);
  }

  #message(message: ChildMessage): void {
    const run = this.#run;
    if (!run) return;
    if (message.type === 'event') {
      run.mirror?.apply(message.name, message.value);
    } else if (message.type === 'finished') {
      // The run is over for the orchestrator now: the thread's or process's exit is not waited for.
      this.#run = undefined;
      run.mirror?.close();
      this.#finished?.(message);
      run.handlers.exit({ exitCode: message.exitCode ?? 0, signal: null, forced: run.forced });
    } else {
      run.handlers.message(message);
    }
  }

  #ended(exitCode: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.#killTimer);
    const run = this.#run;
    this.#run = undefined;
    this.onEnd?.();
    if (!run) return;
    run.mirror?.close();
    const error = this.#outOfMemory() ?? this.#crash;
    run.handlers.exit({ exitCode, signal, forced: run.forced, ...(error ? { error } : {}) });
  }
}

/** Fresh threads or processes: a new host for every run, gone when the run is. */
export const launchFresh =
  (mode: HostMode): RuntimeLauncher =>
  (request, handlers) =>
    new RemoteHost(mode, request, false).start(request, handlers);
