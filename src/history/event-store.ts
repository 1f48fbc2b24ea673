import { InvalidOptionError } from '../errors.ts';
import {
  type AnyOrchestratorEvent,
  ORCHESTRATOR_EVENT_NAMES,
  OrchestratorEvent,
  type OrchestratorEventName,
} from '../events/event-map.ts';
import { FrontQueue } from '../front-queue.ts';
import { type CompactEventName, compactFormOf, NOT_COMPACT } from './compact-payload.ts';
import {
  agentOf,
  EVENT_LIST,
  type EventQuery,
  isCount,
  matchesQuery,
  type ResolvedEventQuery,
  type StoredEvent,
  storedEvent,
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

type Rule = { perAgent: number; total: number };
type Rules = Map<OrchestratorEventName, Rule>;

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

type Payload = AnyOrchestratorEvent['payload'];

/** Event types as small integers, so the store keeps them in a byte array; 0 marks an evicted slot. */
const TYPE_NAMES: readonly (OrchestratorEventName | undefined)[] = [
  undefined,
  ...(ORCHESTRATOR_EVENT_NAMES as ReadonlySet<OrchestratorEventName>),
];
const TYPE_CODES = new Map(TYPE_NAMES.map((name, code) => [name, code]));
/** By type code: how the type's payloads are kept as columns, if they can be. */
const FORMS = TYPE_NAMES.map((name) => (name === undefined ? undefined : compactFormOf(name)));
const EVICTED = 0;
const FIRST_LENGTH = 64;

/** `type`'s code in the types column; throws `InvalidOptionError` for an unknown type. */
function typeCode(type: OrchestratorEventName): number {
  const code = TYPE_CODES.get(type);
  if (code === undefined || code === EVICTED) throw new InvalidOptionError('event.type', type, EVENT_LIST);
  return code;
}

/** The store's columns, one slot per event (see EventStore). */
interface Columns {
  seqs: Float64Array;
  types: Uint8Array;
  times: Float64Array;
  /** The payload, or for one kept as columns (compact-payload.ts) its agent's name. */
  payloads: (Payload | string | undefined)[];
  /** A compact payload's code. */
  codes: Uint32Array;
}

const emptyColumns = (length: number): Columns => ({
  seqs: new Float64Array(length),
  types: new Uint8Array(length),
  times: new Float64Array(length),
  payloads: new Array(length).fill(undefined),
  codes: new Uint32Array(length),
});

/**
 * The seqs of the events one retention rule counts (one type, or one type and one agent), oldest
 * first. An event another bound evicted stays in it until it reaches the front or the queue is
 * tidied: the queue never holds more than about twice the events it counts.
 */
class SeqQueue extends FrontQueue<number> {
  /** Its events the store still holds. */
  held = 0;

  add(seq: number): void {
    this.push(seq);
    this.held++;
  }

  /** The slot of the oldest event still held (`slotOf`); evicted ones in front of it are passed. */
  oldest(slotOf: (seq: number) => number): number {
    this.passWhile((seq) => slotOf(seq) < 0);
    const seq = this.first();
    return seq === undefined ? -1 : slotOf(seq);
  }

  /** Forgets the evicted seqs once they outnumber the held ones. */
  tidy(slotOf: (seq: number) => number): void {
    if (this.size > 2 * this.held + 16) this.keep((seq) => slotOf(seq) >= 0);
  }
}

/** What a retention rule keeps track of: its type's events overall (for `total`), and per agent (for `perAgent`). */
interface RuleState {
  rule: Rule;
  all: SeqQueue | undefined;
  byAgent: Map<string, SeqQueue> | undefined;
}

/**
 * A bounded, queryable history of orchestrator events, in memory.
 *
 * The events are columns in the order they were added: seq, type and timestamp in typed arrays,
 * the payload in a plain array, or for the commonest small events (compact-payload.ts) the agent's
 * name there and a code beside it, the payload rebuilt when a query asks. Adding one writes a few
 * slots and allocates nothing; evicting the oldest clears a slot near the others in memory. (A
 * linked node per event cost an object that outlived a scavenge, and evicting it read memory long
 * out of the cache: 100,000 trivial inline agents ran 12–30% faster without, alternated in one
 * process.)
 *
 * Retention rules evict an event from the middle (the oldest heartbeat of one agent): its slot is
 * marked evicted, and slots are compacted when the columns are full, then grown once the live
 * events would fill more than half of them. So evicted slots never count against `capacity`,
 * noisy events cannot push out the rest, and an add costs O(1) amortised. A rule finds its oldest
 * event through a queue of seqs (per type, per type and agent), and a seq's slot from its distance
 * to the newest event, or by binary search among compacted slots (seqs only grow). Queries walk
 * the events newest first, or a rule's queue when the query asks for just that type (and agent);
 * there is no index by agent alone: a query by agent looks at every event held (10,000 by default:
 * about a millisecond).
 */
export class EventStore {
  readonly #capacity: number;
  readonly #rules = new Map<OrchestratorEventName, RuleState>();
  // The columns (`Columns`), as fields of their own: read and written on every add.
  #seqs!: Float64Array;
  #types!: Uint8Array;
  #times!: Float64Array;
  #payloads!: Columns['payloads'];
  #codes!: Uint32Array;
  /** Slots before this one hold no event. */
  #head = 0;
  /** The next free slot. */
  #end = 0;
  #size = 0;
  #seq = 0;
  #dropped = 0;
  readonly #slotOfSeq = (seq: number): number => this.#slotOf(seq);

  /** Throws `InvalidOptionError` naming the option (`history.capacity`, `history.retention.<type>.perAgent`…). */
  constructor(options?: EventStoreOptions) {
    const { capacity, rules } = validateOptions(options);
    this.#capacity = capacity;
    this.#use(emptyColumns(FIRST_LENGTH));
    for (const [type, rule] of rules) this.#rules.set(type, { rule, all: undefined, byAgent: undefined });
    this.#resetRules();
  }

  /** Events held now. */
  get size(): number {
    return this.#size;
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
    return storedEvent(this.record(event.type, event.payload), event.type, event.payload);
  }

  /**
   * Records an event and returns its seq. O(1) amortised: three slots written, then at most one
   * eviction per bound of a retention rule and one for capacity. With a limit of 0 the event is
   * not kept. Throws `InvalidOptionError` for an unknown type.
   */
  record(type: OrchestratorEventName, payload: Payload): number {
    const code = typeCode(type);
    const compact = FORMS[code]?.encode(payload) ?? NOT_COMPACT;
    return compact === NOT_COMPACT
      ? this.#append(type, code, payload.timestamp, payload, 0)
      : this.#append(type, code, payload.timestamp, (payload as { agent: string }).agent, compact);
  }

  /**
   * Records a compact event from its columns (compact-payload.ts), with no payload object: what
   * `record` keeps of the payload `compactPayload(type, agent, timestamp, code)` would build.
   */
  recordCompact(type: CompactEventName, agent: string, timestamp: number, code: number): number {
    return this.#append(type, typeCode(type), timestamp, agent, code);
  }

  /** Writes one event's slots: `held` is its payload, or its agent's name when kept as columns. */
  #append(
    type: OrchestratorEventName,
    typeIndex: number,
    timestamp: number,
    held: Payload | string,
    compact: number,
  ): number {
    const seq = ++this.#seq;
    if (this.#end === this.#types.length) this.#makeRoom();
    const slot = this.#end++;
    this.#seqs[slot] = seq;
    this.#types[slot] = typeIndex;
    this.#times[slot] = timestamp;
    this.#payloads[slot] = held;
    this.#codes[slot] = compact;
    this.#size++;
    // Without rules (the default), no look-up per event.
    const rule = this.#rules.size === 0 ? undefined : this.#rules.get(type);
    if (rule) this.#applyRule(rule, seq, typeof held === 'string' ? held : agentOf(held));
    if (this.#size > this.#capacity) this.#evictOldest();
    return seq;
  }

  /**
   * The events that match, oldest first. Validates first (`InvalidOptionError` naming the field
   * and value; the store is untouched). Walks newest first, and stops once `limit` events matched.
   */
  query(query?: EventQuery): StoredEvent[] {
    const resolved = validateQuery(query);
    const found: StoredEvent[] = [];
    if (resolved.limit === 0 || resolved.types?.size === 0) return found;
    // Read off the columns; the agent only for a query by agent, which looks at every event held.
    const take = (slot: number): boolean => {
      const type = TYPE_NAMES[this.#types[slot]!]!;
      const agent = resolved.agent === undefined ? undefined : this.#agentAt(slot);
      if (!matchesQuery(resolved, type, this.#times[slot]!, agent)) return false;
      found.push(storedEvent(this.#seqs[slot]!, type, this.#payloadAt(slot)));
      return found.length === resolved.limit;
    };
    const queue = this.#narrowest(resolved);
    if (queue === null) return found;
    if (queue) {
      for (const seq of queue.newestFirst()) {
        const slot = this.#slotOf(seq);
        if (slot >= 0 && take(slot)) break;
      }
    } else {
      for (let slot = this.#end - 1; slot >= this.#head; slot--) {
        if (this.#types[slot] !== EVICTED && take(slot)) break;
      }
    }
    return found.reverse();
  }

  /** Forgets every event and resets `dropped`; `seq` keeps counting so seqs stay unique. */
  clear(): void {
    this.#use(emptyColumns(FIRST_LENGTH));
    this.#head = this.#end = this.#size = 0;
    this.#dropped = 0;
    this.#resetRules();
  }

  #resetRules(): void {
    for (const state of this.#rules.values()) {
      state.all = state.rule.total === Infinity ? undefined : new SeqQueue();
      state.byAgent = state.rule.perAgent === Infinity ? undefined : new Map();
    }
  }

  /**
   * The rule queue holding every event the query can match, `undefined` to walk all events, or
   * `null` when none can match.
   */
  #narrowest(query: ResolvedEventQuery): SeqQueue | undefined | null {
    const single = query.types?.size === 1 ? [...query.types][0]! : undefined;
    const state = single && this.#rules.get(single);
    if (!state) return undefined;
    if (query.agent === undefined) return state.all;
    // One type under a perAgent rule: that agent's queue of it (none: it has no such event held).
    return state.byAgent ? (state.byAgent.get(query.agent) ?? null) : undefined;
  }

  /** Counts a new event of a type under a rule, and evicts what the rule no longer keeps. */
  #applyRule(state: RuleState, seq: number, agent: string | undefined): void {
    const { rule, all, byAgent } = state;
    all?.add(seq);
    let own: SeqQueue | undefined;
    if (byAgent && agent !== undefined) {
      own = byAgent.get(agent);
      if (!own) {
        own = new SeqQueue();
        byAgent.set(agent, own);
      }
      own.add(seq);
    }
    if (own && own.held > rule.perAgent) this.#evict(own.oldest(this.#slotOfSeq));
    if (all && all.held > rule.total) this.#evict(all.oldest(this.#slotOfSeq));
  }

  #evictOldest(): void {
    let slot = this.#head;
    while (this.#types[slot] === EVICTED) slot++;
    this.#evict(slot);
    this.#head = slot + 1;
  }

  /** Empties `slot` and takes its event off the counts of its type's rule. */
  #evict(slot: number): void {
    const state = this.#rules.size === 0 ? undefined : this.#rules.get(TYPE_NAMES[this.#types[slot]!]!);
    // Only a perAgent rule needs the agent: reading it reaches into memory long out of the cache.
    const agent = state?.byAgent ? this.#agentAt(slot) : undefined;
    this.#types[slot] = EVICTED;
    this.#payloads[slot] = undefined; // the payload goes now, not when the slot is reused
    this.#size--;
    this.#dropped++;
    if (!state) return;
    if (state.all) {
      state.all.held--;
      state.all.tidy(this.#slotOfSeq);
    }
    const own = agent === undefined ? undefined : state.byAgent?.get(agent);
    if (!own) return;
    own.held--;
    if (own.held === 0) state.byAgent!.delete(agent!);
    else own.tidy(this.#slotOfSeq);
  }

  /** The agent of the event in `slot` (`undefined` for an orchestrator-wide one). */
  #agentAt(slot: number): string | undefined {
    const held = this.#payloads[slot]!;
    return typeof held === 'string' ? held : agentOf(held);
  }

  /** The payload of the event in `slot`, rebuilt when it is kept as columns. */
  #payloadAt(slot: number): Payload {
    const held = this.#payloads[slot]!;
    if (typeof held !== 'string') return held;
    return FORMS[this.#types[slot]!]!.decode(held, this.#times[slot]!, this.#codes[slot]!) as Payload;
  }

  /** The slot holding `seq`, or -1 when that event is not held (evicted, or never added). */
  #slotOf(seq: number): number {
    let low = this.#head;
    let high = this.#end - 1;
    // Slots since the last compaction hold consecutive seqs: counting back from the newest finds
    // most events at once. Compacted ones (seqs with gaps) are searched for.
    const guess = high - (this.#seqs[high]! - seq);
    if (guess >= low && guess <= high && this.#seqs[guess] === seq)
      return this.#types[guess] === EVICTED ? -1 : guess;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = this.#seqs[middle]!;
      if (found === seq) return this.#types[middle] === EVICTED ? -1 : middle;
      if (found < seq) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /**
   * The columns are full: moves the held events to the front, in order, into columns twice as
   * long when they would fill more than half (so compacting costs O(1) per add, amortised).
   */
  #makeRoom(): void {
    const length = this.#types.length;
    const grow = this.#size * 2 > length;
    const into: Columns = grow
      ? emptyColumns(length * 2)
      : {
          seqs: this.#seqs,
          types: this.#types,
          times: this.#times,
          payloads: this.#payloads,
          codes: this.#codes,
        };
    const { seqs, types, times, payloads, codes } = into;
    let to = 0;
    for (let from = this.#head; from < this.#end; from++) {
      const type = this.#types[from]!;
      if (type === EVICTED) continue;
      seqs[to] = this.#seqs[from]!;
      types[to] = type;
      times[to] = this.#times[from]!;
      payloads[to] = this.#payloads[from];
      codes[to] = this.#codes[from]!;
      to++;
    }
    if (!grow) {
      types.fill(EVICTED, to, this.#end);
      payloads.fill(undefined, to, this.#end);
    }
    this.#use(into);
    this.#head = 0;
    this.#end = to;
  }

  #use({ seqs, types, times, payloads, codes }: Columns): void {
    this.#seqs = seqs;
    this.#types = types;
    this.#times = times;
    this.#payloads = payloads;
    this.#codes = codes;
  }
}
