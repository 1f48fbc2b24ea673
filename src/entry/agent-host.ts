/**
 * The code that runs on the far side of a thread or process: receives `start`, imports the
 * agent's module, builds the agent and drives its lifecycle, reporting over the protocol.
 */

import { type AgentSession, type AgentSessionOptions, startAgentSession } from '../agents/agent-session.ts';
import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import { AgentLoadError, OrchestratorError, serializeError, UnhandledRejectionError } from '../errors.ts';
import { SharedEvent } from '../events/shared-event.ts';
import type {
  AgentSpec,
  ChildMessage,
  EventHandles,
  ModuleRef,
  ParentMessage,
} from '../protocol/messages.ts';

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

export function serveAgent(transport: ChildTransport): void {
  const events = new Map<EventName, SharedEvent>();
  let started = false;
  transport.onMessage((message) => {
    if (message.type === 'event') {
      events.get(message.name)?.applyRemote(message.value);
    } else if (message.type === 'start' && !started) {
      started = true;
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
      void host(transport, message.spec, events);
    }
  });
}

async function host(
  transport: ChildTransport,
  spec: AgentSpec,
  events: Map<EventName, SharedEvent>,
): Promise<void> {
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
  const failOutOfBand = (error: unknown) => (session ? session.fail(error) : early?.push(error));
  process.on('unhandledRejection', (reason) => failOutOfBand(new UnhandledRejectionError(spec.name, reason)));
  process.on('uncaughtException', failOutOfBand);

  let AgentClass: AgentClass;
  let plugins: AgentPlugin[];
  try {
    AgentClass = (await importExport(spec, spec.name)) as AgentClass;
    plugins = await Promise.all(spec.plugins.map((plugin) => rebuildPlugin(plugin, spec.name)));
  } catch (error) {
    send({ type: 'error', phase: 'runtime', error: serializeError(error) });
    send({ type: 'done', outcome: 'failed', result: undefined });
    transport.exit(1);
    return;
  }

  session = startAgentSession({
    AgentClass,
    name: spec.name,
    mode: transport.mode,
    threadId: transport.threadId,
    config: spec.config,
    plugins,
    events: Object.fromEntries(events) as AgentSessionOptions['events'],
    logLevel: spec.logLevel,
    logSink: { write: (line: string) => send({ type: 'log', line }) },
    abort: new AbortController(),
    report: (message) => {
      if (message.type === 'error' || (message.type === 'done' && message.outcome === 'failed'))
        failed = true;
      send(message);
    },
  });
  for (const error of early ?? []) session.fail(error);
  early = undefined;
  await session.finished;
  transport.exit(failed ? 1 : 0);
}

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
