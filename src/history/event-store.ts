import { InvalidOptionError } from '../errors.ts';
import {
  type AnyOrchestratorEvent,
  ORCHESTRATOR_EVENT_NAMES,
  OrchestratorEvent,
  type OrchestratorEventName,
} from '../events/event-map.ts';

/** One event as the history keeps it. */
export interface StoredEvent {
  /** Position in the order events were added: 1, 2, 3… never reused, not even after `clear()`. */
  readonly seq: number;
  readonly type: OrchestratorEventName;
  /** `payload.agent`; `undefined` for orchestrator-wide events. */
  readonly agent: string | undefined;
  /** `payload.timestamp`. */
  readonly timestamp: number;
  /** The event's payload, kept by reference (payloads are plain data nobody mutates). */
  readonly payload: unknown;
}

/** Keep only the last N events of one type, per agent and/or overall. Either limit may be 0 (keep none). */
export interface RetentionRule {
  /** Most events of this type kept for each agent. Non-negative integer. Default: no limit. */
  perAgent?: number;
  /** Most events of this type kept in all. Non-negative integer. Default: no limit. */
  total?: number;
}

export interface EventStoreOptions {
  /** Most events kept; the oldest goes first. Positive integer. Default 10,000. */
  capacity?: number;
  /** Per event type, rules that evict that type's older events early, before `capacity` does. Default none. */
  retention?: Partial<Record<OrchestratorEventName, RetentionRule>>;
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

/** Prefix of option names in errors: the store is configured as the orchestrator's `history` option. */
const OPTIONS = 'history';
const DEFAULT_CAPACITY = 10_000;
const EVENT_LIST = `one of ${[...ORCHESTRATOR_EVENT_NAMES].join(', ')}`;
const QUERY_KEYS = new Set(['agent', 'type', 'since', 'until', 'limit']);
const RULE_KEYS = new Set(['perAgent', 'total']);
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
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

/** Does `event` pass a resolved query's filters (the limit aside)? */
export function matchesQuery(event: StoredEvent, query: ResolvedEventQuery): boolean {
  return (
    (query.agent === undefined || event.agent === query.agent) &&
    (query.types === undefined || query.types.has(event.type)) &&
    event.timestamp >= query.since &&
    event.timestamp <= query.until
  );
}

type Rules = Map<OrchestratorEventName, { perAgent: number; total: number }>;

function validateOptions(options: EventStoreOptions | undefined): { capacity: number; rules: Rules } {
  if (options === undefined) return { capacity: DEFAULT_CAPACITY, rules: new Map() };
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError(OPTIONS, options, 'an object');
  for (const key of Object.keys(options)) {
    if (key !== 'capacity' && key !== 'retention')
      throw new InvalidOptionError(
        `${OPTIONS}.${key}`,
        key,
        'no option of that name (known: capacity, retention)',
      );
  }
  const { capacity = DEFAULT_CAPACITY, retention = {} } = options;
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new InvalidOptionError(`${OPTIONS}.capacity`, capacity, 'a positive integer');
  if (typeof retention !== 'object' || retention === null)
    throw new InvalidOptionError(`${OPTIONS}.retention`, retention, 'an object keyed by event name');
  const rules: Rules = new Map();
  for (const [type, rule] of Object.entries(retention) as [string, unknown][]) {
    const field = `${OPTIONS}.retention.${type}`;
    if (!ORCHESTRATOR_EVENT_NAMES.has(type))
      throw new InvalidOptionError(field, type, `an event name: ${EVENT_LIST}`);
    if (typeof rule !== 'object' || rule === null)
      throw new InvalidOptionError(field, rule, 'an object { perAgent?, total? }');
    for (const key of Object.keys(rule)) {
      if (!RULE_KEYS.has(key))
        throw new InvalidOptionError(
          `${field}.${key}`,
          key,
          'no option of that name (known: perAgent, total)',
        );
    }
    const { perAgent = Infinity, total = Infinity } = rule as RetentionRule;
    if (perAgent !== Infinity && !isCount(perAgent))
      throw new InvalidOptionError(`${field}.perAgent`, perAgent, 'an integer >= 0');
    if (perAgent !== Infinity && type === OrchestratorEvent.ALL_AGENTS_TERMINATED)
      throw new InvalidOptionError(
        `${field}.perAgent`,
        perAgent,
        'no perAgent (this event has no agent; use total)',
      );
    if (total !== Infinity && !isCount(total))
      throw new InvalidOptionError(`${field}.total`, total, 'an integer >= 0');
    rules.set(type as OrchestratorEventName, { perAgent, total });
  }
  return { capacity, rules };
}

/** Which chain a link slot belongs to: every event is in up to four, each in the order it was added. */
const ALL = 0;
const BY_AGENT = 1;
const BY_TYPE = 2;
const BY_TYPE_AGENT = 3;

interface Node {
  readonly event: StoredEvent;
  readonly prev: (Node | undefined)[];
  readonly next: (Node | undefined)[];
  /** The chains this node is linked into, by slot (`undefined` where it is in none). */
  readonly chains: (Chain | undefined)[];
}

/** A doubly linked list threaded through one link slot of its nodes: O(1) append and O(1) removal anywhere. */
class Chain {
  readonly slot: number;
  head: Node | undefined;
  tail: Node | undefined;
  size = 0;

  constructor(slot: number) {
    this.slot = slot;
  }

  append(node: Node): void {
    const slot = this.slot;
    node.prev[slot] = this.tail;
    if (this.tail) this.tail.next[slot] = node;
    else this.head = node;
    this.tail = node;
    node.chains[slot] = this;
    this.size++;
  }

  unlink(node: Node): void {
    const slot = this.slot;
    const prev = node.prev[slot];
    const next = node.next[slot];
    if (prev) prev.next[slot] = next;
    else this.head = next;
    if (next) next.prev[slot] = prev;
    else this.tail = prev;
    node.prev[slot] = node.next[slot] = node.chains[slot] = undefined;
    this.size--;
  }
}

/**
 * A bounded, queryable history of orchestrator events, in memory.
 *
 * Not a ring buffer: retention rules evict an event from the middle (the oldest heartbeat of one
 * agent), which a ring can only do with tombstones that still take up its slots — so noisy events
 * would push out the rest after all. Instead every event is a node linked, in order, into a few
 * chains (all events, its agent's, its type's, its type-and-agent's); appending and unlinking are
 * O(1), and the store never holds more than `capacity` nodes, however many events are added.
 * Chains that empty are dropped, so the indexes are bounded by the live events too.
 */
export class EventStore {
  readonly #capacity: number;
  readonly #rules: Rules;
  readonly #all = new Chain(ALL);
  readonly #byAgent = new Map<string, Chain>();
  readonly #byType = new Map<OrchestratorEventName, Chain>();
  readonly #byTypeAgent = new Map<OrchestratorEventName, Map<string, Chain>>();
  #seq = 0;
  #dropped = 0;

  /** Throws `InvalidOptionError` naming the option (`history.capacity`, `history.retention.<type>.perAgent`…). */
  constructor(options?: EventStoreOptions) {
    const { capacity, rules } = validateOptions(options);
    this.#capacity = capacity;
    this.#rules = rules;
  }

  /** Events held now. */
  get size(): number {
    return this.#all.size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Events evicted so far, by `capacity` or by a retention rule (`clear()` resets it). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Records an event and returns it as stored. O(1): a few map look-ups and link updates, then at
   * most one eviction per retention rule and one for capacity. With a limit of 0 the event is
   * returned but not kept.
   */
  add(event: AnyOrchestratorEvent): StoredEvent {
    const { type, payload } = event;
    if (!ORCHESTRATOR_EVENT_NAMES.has(type)) throw new InvalidOptionError('event.type', type, EVENT_LIST);
    const agent = 'agent' in payload ? payload.agent : undefined;
    const stored: StoredEvent = Object.freeze({
      seq: ++this.#seq,
      type,
      agent,
      timestamp: payload.timestamp,
      payload,
    });
    // Link arrays sized up front: an empty [] grows into a much larger backing store.
    const node: Node = {
      event: stored,
      prev: [undefined, undefined, undefined, undefined],
      next: [undefined, undefined, undefined, undefined],
      chains: [undefined, undefined, undefined, undefined],
    };
    this.#all.append(node);
    chainOf(this.#byType, type, BY_TYPE).append(node);
    if (agent !== undefined) {
      chainOf(this.#byAgent, agent, BY_AGENT).append(node);
      const ofType = this.#byTypeAgent.get(type) ?? new Map<string, Chain>();
      if (ofType.size === 0) this.#byTypeAgent.set(type, ofType);
      chainOf(ofType, agent, BY_TYPE_AGENT).append(node);
    }
    const rule = this.#rules.get(type);
    if (rule) {
      const sameAgent = node.chains[BY_TYPE_AGENT];
      if (sameAgent && sameAgent.size > rule.perAgent) this.#evict(sameAgent.head!);
      const sameType = this.#byType.get(type);
      if (sameType && sameType.size > rule.total) this.#evict(sameType.head!);
    }
    if (this.#all.size > this.#capacity) this.#evict(this.#all.head!);
    return stored;
  }

  /**
   * The events that match, oldest first. Validates first (`InvalidOptionError` naming the field
   * and value; the store is untouched). Walks the narrowest index that applies, newest first, and
   * stops once `limit` events matched.
   */
  query(query?: EventQuery): StoredEvent[] {
    const resolved = validateQuery(query);
    const found: StoredEvent[] = [];
    if (resolved.limit === 0) return found;
    const chain = this.#narrowest(resolved);
    if (!chain) return found;
    for (let node = chain.tail; node; node = node.prev[chain.slot]) {
      if (!matchesQuery(node.event, resolved)) continue;
      found.push(node.event);
      if (found.length === resolved.limit) break;
    }
    return found.reverse();
  }

  /** Forgets every event and resets `dropped`; `seq` keeps counting so seqs stay unique. */
  clear(): void {
    // Nodes only point at each other and callers only hold `event`s: forgetting the heads frees them all.
    this.#all.head = this.#all.tail = undefined;
    this.#all.size = 0;
    this.#byAgent.clear();
    this.#byType.clear();
    this.#byTypeAgent.clear();
    this.#dropped = 0;
  }

  #narrowest(query: ResolvedEventQuery): Chain | undefined {
    if (query.types?.size === 0) return undefined;
    const single = query.types?.size === 1 ? [...query.types][0] : undefined;
    if (query.agent !== undefined && single !== undefined)
      return this.#byTypeAgent.get(single)?.get(query.agent);
    if (query.agent !== undefined) return this.#byAgent.get(query.agent);
    if (single !== undefined) return this.#byType.get(single);
    return this.#all;
  }

  #evict(node: Node): void {
    this.#unlink(node);
    this.#dropped++;
  }

  #unlink(node: Node): void {
    const { type, agent } = node.event;
    for (const chain of node.chains) chain?.unlink(node);
    if (this.#byType.get(type)?.size === 0) this.#byType.delete(type);
    if (agent === undefined) return;
    if (this.#byAgent.get(agent)?.size === 0) this.#byAgent.delete(agent);
    const ofType = this.#byTypeAgent.get(type);
    if (ofType?.get(agent)?.size === 0) {
      ofType.delete(agent);
      if (ofType.size === 0) this.#byTypeAgent.delete(type);
    }
  }
}

function chainOf<K>(map: Map<K, Chain>, key: K, slot: number): Chain {
  const found = map.get(key);
  if (found) return found;
  const chain = new Chain(slot);
  map.set(key, chain);
  return chain;
}
