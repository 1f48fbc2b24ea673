/** What the history keeps of an event, and the queries both histories (memory and SQLite) answer. */
import { InvalidOptionError } from '../errors.ts';
import { ORCHESTRATOR_EVENT_NAMES, type OrchestratorEventName } from '../events/event-map.ts';

/** One event as the history keeps it. */
export interface StoredEvent {
  /** Position in the order events were added: 1, 2, 3… never reused, not even after `clear()`. */
  readonly seq: number;
  readonly type: OrchestratorEventName;
  /** `payload.agent`; `undefined` for orchestrator-wide events. */
  readonly agent: string | undefined;
  /** `payload.timestamp`. */
  readonly timestamp: number;
  /**
   * The event's payload: kept by reference (payloads are plain data nobody mutates), or rebuilt
   * equal, key for key, for the small events the memory history keeps as columns.
   */
  readonly payload: unknown;
}

/** The agent an event is about: `payload.agent`, absent from orchestrator-wide events. */
export const agentOf = (payload: object): string | undefined =>
  'agent' in payload ? (payload.agent as string) : undefined;

/** An event as the history hands it out: built when asked for, frozen. */
export function storedEvent(
  seq: number,
  type: OrchestratorEventName,
  payload: { timestamp: number },
): StoredEvent {
  return Object.freeze({ seq, type, agent: agentOf(payload), timestamp: payload.timestamp, payload });
}

/** Which events `query` returns. Every field is optional; the fields combine with AND. */
export interface EventQuery {
  agent?: string;
  /** One type, or any of several (an empty list matches nothing). */
  type?: OrchestratorEventName | OrchestratorEventName[];
  /** Earliest timestamp, inclusive. */
  since?: number;
  /** Latest timestamp, inclusive. */
  until?: number;
  /** Only the newest N matching events (by `seq`); they are still returned oldest first. Integer >= 0. */
  limit?: number;
}

/** A validated query, every bound explicit: what both the memory store and SQLite history run. */
export interface ResolvedEventQuery {
  agent: string | undefined;
  /** `undefined`: any type. */
  types: ReadonlySet<OrchestratorEventName> | undefined;
  /** `-Infinity` when not given. */
  since: number;
  /** `Infinity` when not given. */
  until: number;
  /** `Infinity` when not given. */
  limit: number;
}

/** What an event type must be, for errors. */
export const EVENT_LIST = `one of ${[...ORCHESTRATOR_EVENT_NAMES].join(', ')}`;
const QUERY_KEYS = new Set(['agent', 'type', 'since', 'until', 'limit']);
export const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
const isTimestamp = (value: unknown) => typeof value === 'number' && !Number.isNaN(value);

/**
 * Validates a query for `EventStore.query` and `SqliteHistory.query`; throws `InvalidOptionError`
 * naming the field (`query.limit`…), the value and what is allowed.
 */
export function validateQuery(query: EventQuery | undefined): ResolvedEventQuery {
  if (query === undefined)
    return { agent: undefined, types: undefined, since: -Infinity, until: Infinity, limit: Infinity };
  if (typeof query !== 'object' || query === null) throw new InvalidOptionError('query', query, 'an object');
  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key))
      throw new InvalidOptionError(
        `query.${key}`,
        key,
        `no field of that name (known: ${[...QUERY_KEYS].join(', ')})`,
      );
  }
  const { agent, type, since = -Infinity, until = Infinity, limit = Infinity } = query;
  if (agent !== undefined && typeof agent !== 'string')
    throw new InvalidOptionError('query.agent', agent, 'a string');
  let types: Set<OrchestratorEventName> | undefined;
  if (type !== undefined) {
    const list: unknown[] = Array.isArray(type) ? type : [type];
    for (const [index, name] of list.entries()) {
      const field = Array.isArray(type) ? `query.type[${index}]` : 'query.type';
      if (typeof name !== 'string' || !ORCHESTRATOR_EVENT_NAMES.has(name))
        throw new InvalidOptionError(field, name, EVENT_LIST);
    }
    types = new Set(list as OrchestratorEventName[]);
  }
  if (!isTimestamp(since)) throw new InvalidOptionError('query.since', since, 'a timestamp (number)');
  if (!isTimestamp(until)) throw new InvalidOptionError('query.until', until, 'a timestamp (number)');
  if (since > until)
    throw new InvalidOptionError('query.since', since, `a timestamp <= query.until (${until})`);
  if (limit !== Infinity && !isCount(limit))
    throw new InvalidOptionError('query.limit', limit, 'an integer >= 0');
  return { agent, types, since, until, limit };
}

/**
 * Does an event pass a resolved query's filters (the limit aside)? As fields, so the memory store
 * can test its columns without building the event; `agent` is only read when the query names one.
 */
export function matchesQuery(
  query: ResolvedEventQuery,
  type: OrchestratorEventName,
  timestamp: number,
  agent: string | undefined,
): boolean {
  return (
    (query.agent === undefined || agent === query.agent) &&
    (query.types === undefined || query.types.has(type)) &&
    timestamp >= query.since &&
    timestamp <= query.until
  );
}
