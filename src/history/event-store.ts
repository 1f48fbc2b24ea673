import { InvalidOptionError } from '../errors.ts';
import {
  type AnyOrchestratorEvent,
  ORCHESTRATOR_EVENT_NAMES,
  OrchestratorEvent,
  type OrchestratorEventName,
} from '../events/event-map.ts';
import {
  EVENT_LIST,
  type EventQuery,
  isCount,
  matchesQuery,
  type ResolvedEventQuery,
  type StoredEvent,
  validateQuery,
} from './event-query.ts';

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

/** Prefix of option names in errors: the store is configured as the orchestrator's `history` option. */
const OPTIONS = 'history';
const DEFAULT_CAPACITY = 10_000;
const RULE_KEYS = new Set(['perAgent', 'total']);

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

/** The chains a node can be linked into. Each keeps its events in the order they were added. */
const ALL = 0;
/** Only for types under a `total` rule. */
const TYPE = 1;
/** Only for types under a `perAgent` rule. */
const TYPE_AGENT = 2;

/**
 * One stored event and its links: plain fields, not arrays, so an add allocates one object and
 * every link update is a field store. The frozen `StoredEvent` callers see is built when they ask.
 * Only events of a type under a retention rule are linked into more chains than the one of all
 * events: they are `RuleNode`s, and the rest carry no fields for those links (72 bytes a node
 * instead of 120, for the ten or so events of every agent).
 */
class Node {
  readonly seq: number;
  readonly type: OrchestratorEventName;
  readonly agent: string | undefined;
  readonly payload: { timestamp: number };
  prevAll: Node | undefined = undefined;
  nextAll: Node | undefined = undefined;

  constructor(
    seq: number,
    type: OrchestratorEventName,
    agent: string | undefined,
    payload: { timestamp: number },
  ) {
    this.seq = seq;
    this.type = type;
    this.agent = agent;
    this.payload = payload;
  }

  get timestamp(): number {
    return this.payload.timestamp;
  }

  get event(): StoredEvent {
    const { seq, type, agent, timestamp, payload } = this;
    return Object.freeze({ seq, type, agent, timestamp, payload });
  }
}

/** An event of a type under a retention rule: also linked by type and by type and agent. */
class RuleNode extends Node {
  prevType: Node | undefined = undefined;
  nextType: Node | undefined = undefined;
  prevTypeAgent: Node | undefined = undefined;
  nextTypeAgent: Node | undefined = undefined;
  typeChain: Chain | undefined = undefined;
  typeAgentChain: Chain | undefined = undefined;
}

// Chains other than ALL hold only RuleNodes.
const prevOf = (node: Node, slot: number) =>
  slot === ALL
    ? node.prevAll
    : slot === TYPE
      ? (node as RuleNode).prevType
      : (node as RuleNode).prevTypeAgent;
const nextOf = (node: Node, slot: number) =>
  slot === ALL
    ? node.nextAll
    : slot === TYPE
      ? (node as RuleNode).nextType
      : (node as RuleNode).nextTypeAgent;

function setLinks(node: Node, slot: number, prev: Node | undefined, next: Node | undefined): void {
  if (slot === ALL) {
    node.prevAll = prev;
    node.nextAll = next;
  } else if (slot === TYPE) {
    (node as RuleNode).prevType = prev;
    (node as RuleNode).nextType = next;
  } else {
    (node as RuleNode).prevTypeAgent = prev;
    (node as RuleNode).nextTypeAgent = next;
  }
}

function setPrev(node: Node, slot: number, prev: Node | undefined): void {
  setLinks(node, slot, prev, nextOf(node, slot));
}

function setNext(node: Node, slot: number, next: Node | undefined): void {
  setLinks(node, slot, prevOf(node, slot), next);
}

/** A doubly linked list threaded through one slot of its nodes: O(1) append and O(1) removal anywhere. */
class Chain {
  readonly slot: number;
  head: Node | undefined = undefined;
  tail: Node | undefined = undefined;
  size = 0;

  constructor(slot: number) {
    this.slot = slot;
  }

  append(node: Node): void {
    const tail = this.tail;
    setLinks(node, this.slot, tail, undefined);
    if (tail) setNext(tail, this.slot, node);
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  unlink(node: Node): void {
    const slot = this.slot;
    const prev = prevOf(node, slot);
    const next = nextOf(node, slot);
    if (prev) setNext(prev, slot, next);
    else this.head = next;
    if (next) setPrev(next, slot, prev);
    else this.tail = prev;
    // Cut the node's own links too. Left in place, an evicted node that had been promoted to the
    // old generation keeps pointing at the next one, and a scavenge takes that pointer as a root:
    // every newer event would then survive and be promoted in turn, the whole stream of events.
    setLinks(node, slot, undefined, undefined);
    this.size--;
  }
}

/**
 * A bounded, queryable history of orchestrator events, in memory.
 *
 * Not a ring buffer: retention rules evict an event from the middle (the oldest heartbeat of one
 * agent), which a ring can only do with tombstones that still take up its slots — so noisy events
 * would push out the rest after all. Instead every event is a node linked, in order, into a few
 * chains: all events; a type under a retention rule also chains by type (for `total`) and by type
 * and agent (for `perAgent`), since a rule always evicts the head of one of those. Appending and
 * unlinking are O(1), and the store never holds more than `capacity` nodes, however many events are
 * added. Chains that empty are dropped, so the indexes are bounded by the live events too.
 *
 * Adds are the hot side (every event of every agent), queries the rare one: a query walks the
 * narrowest chain there is, and there is no index by agent alone. A query by agent looks at every
 * event held, newest first (10,000 by default: well under a millisecond).
 */
export class EventStore {
  readonly #capacity: number;
  readonly #rules: Rules;
  readonly #all = new Chain(ALL);
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

  /** Records an event and returns it as stored. */
  add(event: AnyOrchestratorEvent): StoredEvent {
    return this.record(event.type, event.payload).event;
  }

  /**
   * Records an event. O(1): a map look-up or two and link updates, then at most one eviction per
   * retention rule and one for capacity. With a limit of 0 the event is not kept. The result's
   * `event` is the event as stored (built when read). Throws `InvalidOptionError` for an unknown type.
   */
  record(
    type: OrchestratorEventName,
    payload: AnyOrchestratorEvent['payload'],
  ): { readonly event: StoredEvent } {
    if (!ORCHESTRATOR_EVENT_NAMES.has(type)) throw new InvalidOptionError('event.type', type, EVENT_LIST);
    const agent = 'agent' in payload ? payload.agent : undefined;
    const rule = this.#rules.get(type);
    const seq = ++this.#seq;
    const node = rule ? new RuleNode(seq, type, agent, payload) : new Node(seq, type, agent, payload);
    this.#all.append(node);
    if (rule) this.#applyRule(node as RuleNode, rule);
    if (this.#all.size > this.#capacity) this.#evict(this.#all.head!);
    return node;
  }

  /**
   * The events that match, oldest first. Validates first (`InvalidOptionError` naming the field
   * and value; the store is untouched). Walks the narrowest chain that applies, newest first, and
   * stops once `limit` events matched.
   */
  query(query?: EventQuery): StoredEvent[] {
    const resolved = validateQuery(query);
    const found: StoredEvent[] = [];
    if (resolved.limit === 0 || resolved.types?.size === 0) return found;
    const chain = this.#narrowest(resolved);
    if (!chain) return found;
    for (let node = chain.tail; node; node = prevOf(node, chain.slot)) {
      if (!matchesQuery(node, resolved)) continue;
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
    this.#byType.clear();
    this.#byTypeAgent.clear();
    this.#dropped = 0;
  }

  /** The shortest chain holding every event the query can match; `undefined` when none can. */
  #narrowest(query: ResolvedEventQuery): Chain | undefined {
    const single = query.types?.size === 1 ? [...query.types][0]! : undefined;
    if (query.agent !== undefined) {
      // One type under a perAgent rule: that agent's chain of it. Otherwise every event is looked at.
      const ofTypeAgent = single && this.#byTypeAgent.get(single);
      if (ofTypeAgent) return ofTypeAgent.get(query.agent);
      return this.#all;
    }
    return (single && this.#byType.get(single)) || this.#all;
  }

  /** Links a new event of a type under `rule` into its chains, and evicts what the rule no longer keeps. */
  #applyRule(node: RuleNode, rule: { perAgent: number; total: number }): void {
    const { type, agent } = node;
    if (rule.total !== Infinity) {
      node.typeChain = chainOf(this.#byType, type, TYPE);
      node.typeChain.append(node);
    }
    if (rule.perAgent !== Infinity && agent !== undefined) {
      const ofType = this.#byTypeAgent.get(type) ?? new Map<string, Chain>();
      if (ofType.size === 0) this.#byTypeAgent.set(type, ofType);
      node.typeAgentChain = chainOf(ofType, agent, TYPE_AGENT);
      node.typeAgentChain.append(node);
    }
    const sameAgent = node.typeAgentChain;
    if (sameAgent && sameAgent.size > rule.perAgent) this.#evict(sameAgent.head!);
    const sameType = node.typeChain;
    if (sameType && sameType.size > rule.total) this.#evict(sameType.head!);
  }

  #evict(node: Node): void {
    this.#dropped++;
    this.#all.unlink(node);
    if (!(node instanceof RuleNode)) return;
    const { type, agent } = node;
    if (node.typeChain) this.#release(this.#byType, type, node.typeChain, node);
    if (agent === undefined) return;
    if (node.typeAgentChain) {
      const ofType = this.#byTypeAgent.get(type)!;
      this.#release(ofType, agent, node.typeAgentChain, node);
      if (ofType.size === 0) this.#byTypeAgent.delete(type);
    }
  }

  /** Unlinks `node` from `chain`, and forgets the chain once it is empty. */
  #release<K>(map: Map<K, Chain>, key: K, chain: Chain, node: Node): void {
    chain.unlink(node);
    if (chain.size === 0) map.delete(key);
  }
}

function chainOf<K>(map: Map<K, Chain>, key: K, slot: number): Chain {
  const found = map.get(key);
  if (found) return found;
  const chain = new Chain(slot);
  map.set(key, chain);
  return chain;
}
