/**
 * Where every orchestrator event goes, in one order: the agent's stats, the bounded history,
 * the durable history file when there is one, then the listeners.
 */
import type { AnyOrchestratorEvent, OrchestratorEventMap } from '../events/event-map.ts';
import { TypedEmitter } from '../events/typed-emitter.ts';
import { type CompactEventName, compactPayload } from '../history/compact-payload.ts';
import { agentOf, type EventQuery, type StoredEvent, storedEvent } from '../history/event-query.ts';
import { EventStore, type EventStoreOptions } from '../history/event-store.ts';
import { SqliteHistory } from '../history/sqlite-history.ts';
import { AgentStatsTable } from './agent-stats.ts';

export interface EventHubOptions {
  history: EventStoreOptions & { file?: string };
  /** How many steps of its history each agent's stats keep. */
  historySize: number;
  /** The stats index of the agent an event is about, if it is registered here. */
  indexOf(agent: string): number | undefined;
  /** A listener threw (or its promise rejected): said, and the others still run. */
  listenerFailed(error: unknown, event: keyof OrchestratorEventMap): void;
  /** The history file cannot be written (a full disk): said once; the memory history goes on. */
  durableFailed(error: unknown): void;
}

export class EventHub {
  /** Subscriptions: `on`, `once`, `off`, `stream`. */
  readonly emitter: TypedEmitter<OrchestratorEventMap>;
  /** Every agent's counts, run times and history, fed by its events. */
  readonly stats: AgentStatsTable;
  readonly #store: EventStore;
  #durable: SqliteHistory | undefined;
  readonly #indexOf: EventHubOptions['indexOf'];
  readonly #durableFailed: EventHubOptions['durableFailed'];

  /** Throws `InvalidOptionError` for bad history options; opens the history file when one is given. */
  constructor({ history, historySize, indexOf, listenerFailed, durableFailed }: EventHubOptions) {
    const { file, ...storeOptions } = history;
    this.#store = new EventStore(storeOptions);
    this.stats = new AgentStatsTable(historySize);
    this.#durable = file === undefined ? undefined : SqliteHistory.open(file);
    this.emitter = new TypedEmitter(listenerFailed);
    this.#indexOf = indexOf;
    this.#durableFailed = durableFailed;
  }

  /** `index`: the agent's stats index, when the caller holds it (every event of a run): no look-up by name. */
  emit<K extends keyof OrchestratorEventMap>(
    event: K,
    payload: OrchestratorEventMap[K],
    index?: number,
  ): void {
    const agent = index === undefined ? agentOf(payload) : undefined;
    const at = index ?? (agent === undefined ? undefined : this.#indexOf(agent));
    if (at !== undefined) this.stats.observe(at, event, payload);
    const seq = this.#store.record(event, payload as AnyOrchestratorEvent['payload']);
    this.#publish(seq, event, payload);
  }

  /**
   * One of the small events every run makes (compact-payload.ts), as its columns: the stats and the
   * history take it as they are, and its payload is built only when someone listens or a history
   * file keeps it. With nobody listening, a run's ten small events make no object: 100,000 trivial
   * inline agents took 0.92–0.98 of the time (bench/README.md, (c)).
   */
  emitCompact<K extends CompactEventName>(
    event: K,
    agent: string,
    timestamp: number,
    code: number,
    index: number,
  ): void {
    this.stats.observeCompact(index, event, timestamp, code);
    const seq = this.#store.recordCompact(event, agent, timestamp, code);
    if (this.#durable || this.emitter.listening(event)) {
      this.#publish(seq, event, compactPayload(event, agent, timestamp, code));
    }
  }

  /** To the history file, then the listeners. */
  #publish<K extends keyof OrchestratorEventMap>(
    seq: number,
    event: K,
    payload: OrchestratorEventMap[K],
  ): void {
    if (this.#durable) {
      try {
        this.#durable.append(storedEvent(seq, event, payload));
      } catch (error) {
        // A full disk must not stop the orchestrator: keep the in-memory history, say so once.
        this.#durable = undefined;
        this.#durableFailed(error);
      }
    }
    this.emitter.emit(event, payload);
  }

  /** Events kept in the bounded history, oldest first. */
  history(query?: EventQuery): StoredEvent[] {
    return this.#store.query(query);
  }

  /** Closes the history file; events after this are kept in memory only. */
  close(): void {
    this.#durable?.close();
    this.#durable = undefined;
  }
}
