/**
 * The code that runs on the far side of a thread or process: receives `start`, imports the
 * agent's module, builds the agent and drives its lifecycle, reporting over the protocol.
 */

import { type AgentSession, startAgentSession } from '../agents/agent-session.ts';
import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import { RunAbort } from '../agents/run-abort.ts';
import { nextTurn } from '../agents/yield-to-loop.ts';
import { AgentLoadError, OrchestratorError, serializeError, UnhandledRejectionError } from '../errors.ts';
import { AgentEvents } from '../events/agent-events.ts';
import { SharedEvent } from '../events/shared-event.ts';
import type {
  AgentSpec,
  ChildMessage,
  EventHandles,
  ModuleRef,
  ParentMessage,
} from '../protocol/messages.ts';
import { HeartbeatBatcher } from './heartbeat-batcher.ts';

export interface ChildTransport {
  mode: 'thread' | 'process';
  threadId: number | undefined;
  /** Sends a message; throws if it cannot be cloned. */
  send(message: ChildMessage): void;
  onMessage(listener: (message: ParentMessage) => void): void;
  /** Ends this thread or process once every sent message is on its way. */
  exit(code: number): void;
}

type EventName = keyof EventHandles;

/** The run in progress: its events, and where failures outside its call stack go. */
interface Run {
  events: Map<EventName, SharedEvent>;
  failOutOfBand(error: unknown): void;
}

/**
 * Serves runs of agents, one at a time. A plain thread or process serves one run and exits; a
 * pooled one (`start` with `pooled`) stays after each successful run and waits for the
 * next `start`: the agent's module stays loaded, which is what makes warm reuse fast. A failed run
 * always ends the thread or process, so no broken state is reused.
 */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
export const serveAgent = (function (channel: ChildTransport): void {
  const batcher = new HeartbeatBatcher((message) => channel.send(message));
  const transport: ChildTransport = { ...channel, send: (message) => batcher.send(message) };
  let current: (Run & { name: string }) | undefined;
  // Installed once for every run: whatever escapes goes to the run in progress.
  process.on('unhandledRejection', (reason) => {
    if (current) current.failOutOfBand(new UnhandledRejectionError(current.name, reason));
  });
  process.on('uncaughtException', (error) => current?.failOutOfBand(error));
  transport.onMessage((message) => {
    if (message.type === 'event') {
      current?.events.get(message.name)?.applyRemote(message.value);
    } else if (message.type === 'start' && !current) {
      const events = new Map<EventName, SharedEvent>();
      for (const [name, handle] of Object.entries(message.events) as [
        EventName,
        SharedArrayBuffer | boolean,
      ][]) {
        const event = new SharedEvent(handle);
        if (typeof handle === 'boolean') {
          event.onLocalChange((value) => transport.send({ type: 'event', name, value }));
        }
        events.set(name, event);
      }
      const run = { name: message.spec.name, events, failOutOfBand: (_error: unknown) => {} };
      current = run;
      void host(transport, message.spec, run).then((failed) => {
        current = undefined;
        if (failed || !message.pooled) {
          const exitCode = failed ? 1 : 0;
          transport.send({ type: 'finished', exitCode });
          transport.exit(exitCode);
        } else {
          const bytes =
            transport.mode === 'thread' ? process.memoryUsage().heapUsed : process.memoryUsage.rss();
          transport.send({ type: 'finished', exitCode: null, memoryMb: bytes / 2 ** 20 });
        }
      });
    }
  });
});

/** One run: import, build, drive the lifecycle. Resolves whether it failed. */
// biome-ignore format lint/complexity/useArrowFunction: in parentheses, V8 compiles it with its module: see EAGERLY COMPILED in src/agents/lifecycle.ts
const host = (async function (transport: ChildTransport, spec: AgentSpec, run: Run): Promise<boolean> {
  const send = (message: ChildMessage) => {
    try {
      transport.send(message);
    } catch (error) {
      if (message.type !== 'done') throw error;
      const notCloneable = new OrchestratorError(
        'ERR_NOT_SERIALIZABLE',
        `The result of agent "${spec.name}" cannot be sent to the orchestrator: ${(error as Error).message}`,
      );
      transport.send({ type: 'error', phase: 'work', error: serializeError(notCloneable) });
      transport.send({ type: 'done', outcome: 'failed', result: undefined });
    }
  };

  let failed = false;
  let session: AgentSession | undefined;
  let early: unknown[] | undefined = []; // failures before the agent exists fail it once it does
  run.failOutOfBand = (error: unknown) => (session ? session.fail(error) : early?.push(error));

  let AgentClass: AgentClass;
  let plugins: AgentPlugin[];
  try {
    AgentClass = (await importExport(spec, spec.name)) as AgentClass;
    plugins = await Promise.all(spec.plugins.map((plugin) => rebuildPlugin(plugin, spec.name)));
  } catch (error) {
    send({ type: 'error', phase: 'runtime', error: serializeError(error) });
    send({ type: 'done', outcome: 'failed', result: undefined });
    return true;
  }

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  session = startAgentSession({
    AgentClass,
    name: spec.name,
    mode: transport.mode,
    threadId: transport.threadId,
    config: spec.config,
    plugins,
    events: new AgentEvents(Object.fromEntries(run.events) as Record<EventName, SharedEvent>),
    logLevel: spec.logLevel,
    logSink: { write: (line: string) => send({ type: 'log', line }) },
    abort: new RunAbort(),
    report: (message) => {
      if (message.type === 'error' || (message.type === 'done' && message.outcome === 'failed'))
        failed = true;
      send(message);
    },
    // A rejection nobody handled surfaces after the microtasks: the run ends a turn later.
    over: () => void nextTurn().then(finish),
  });
  for (const error of early ?? []) session.fail(error);
  early = undefined;
  await finished;
  return failed;
});

async function importExport(ref: ModuleRef, agent: string): Promise<unknown> {
  const namespace = (await import(ref.moduleUrl)) as Record<string, unknown>;
  const value = namespace[ref.exportName];
  if (typeof value !== 'function') {
    throw new AgentLoadError(
      `Agent "${agent}": module ${ref.moduleUrl} has no exported class "${ref.exportName}".`,
    );
  }
  return value;
}

async function rebuildPlugin(ref: AgentSpec['plugins'][number], agent: string): Promise<AgentPlugin> {
  const PluginClass = (await importExport(ref, agent)) as { prototype: object };
  return Object.assign(Object.create(PluginClass.prototype), ref.fields) as AgentPlugin;
}
