/**
 * The code that runs on the far side of a thread or process: receives `start`, imports the
 * agent's module, builds the agent and drives its lifecycle, reporting over the protocol.
 */

import type { AgentClass } from '../agents/base-agent.ts';
import { OutOfBandFailure, runLifecycle } from '../agents/lifecycle.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import { AgentLoadError, OrchestratorError, serializeError, UnhandledRejectionError } from '../errors.ts';
import {
  CONTROL_EVENT_NAMES,
  type ControlEvents,
  SharedEvent,
  STATE_EVENT_NAMES,
  type StateEvents,
} from '../events/shared-event.ts';
import { createAgentLogger } from '../logging/logger.ts';
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

  let rejectFailure!: (reason: OutOfBandFailure) => void;
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  let lifecycleDone = false;
  let outcome: 'completed' | 'stopped' | 'failed' = 'failed';
  const failOutOfBand = (error: unknown) => {
    if (!lifecycleDone) return rejectFailure(new OutOfBandFailure(error));
    // Surfaced after the work returned (a rejection seen on the next turn): still a failure.
    outcome = 'failed';
    send({ type: 'error', phase: 'unhandled', error: serializeError(error) });
  };
  process.on('unhandledRejection', (reason) => failOutOfBand(new UnhandledRejectionError(spec.name, reason)));
  process.on('uncaughtException', failOutOfBand);

  let AgentCtor: AgentClass;
  let plugins: AgentPlugin[];
  try {
    AgentCtor = (await importExport(spec, spec.name)) as AgentClass;
    plugins = await Promise.all(spec.plugins.map((plugin) => rebuildPlugin(plugin, spec.name)));
  } catch (error) {
    send({ type: 'error', phase: 'runtime', error: serializeError(error) });
    send({ type: 'done', outcome: 'failed', result: undefined });
    transport.exit(1);
    return;
  }

  const pick = <K extends EventName>(names: readonly K[]) =>
    Object.fromEntries(names.map((name) => [name, events.get(name)!])) as Record<K, SharedEvent>;
  const abort = new AbortController();
  const sink = { write: (line: string) => send({ type: 'log', line }) };
  try {
    const agent = new AgentCtor({
      name: spec.name,
      mode: transport.mode,
      config: spec.config as never,
      controlEvents: pick(CONTROL_EVENT_NAMES) as ControlEvents,
      stateEvents: pick(STATE_EVENT_NAMES) as StateEvents,
      signal: abort.signal,
      plugins,
      createLogger: () =>
        createAgentLogger(spec.name, transport.mode, spec.logLevel, sink, transport.threadId),
    });
    await runLifecycle({
      agent,
      stopRequested: events.get('stopRequested')!,
      abort,
      failure,
      report: (message) => {
        if (message.type === 'done') outcome = message.outcome;
        send(message);
      },
    });
  } catch (error) {
    send({ type: 'error', phase: 'runtime', error: serializeError(error) });
    send({ type: 'done', outcome: 'failed', result: undefined });
  }
  lifecycleDone = true;
  await new Promise((resolve) => setImmediate(resolve));
  transport.exit(outcome === 'failed' ? 1 : 0);
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
