import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InvalidOptionError } from '../../src/errors.ts';
import type { AnyOrchestratorEvent, OrchestratorEventName } from '../../src/events/event-map.ts';
import {
  type EventQuery,
  matchesQuery,
  type StoredEvent,
  validateQuery,
} from '../../src/history/event-query.ts';
import { EventStore } from '../../src/history/event-store.ts';

const heartbeat = (agent: string, timestamp: number, sequence = 0): AnyOrchestratorEvent => ({
  type: 'agent:heartbeat',
  payload: { agent, timestamp, sequence },
});
const running = (agent: string, timestamp: number): AnyOrchestratorEvent => ({
  type: 'agent:running',
  payload: { agent, timestamp },
});
const stateChanged = (agent: string, timestamp: number): AnyOrchestratorEvent => ({
  type: 'agent:state-changed',
  payload: { agent, timestamp, from: 'starting', to: 'running' },
});
const allTerminated = (timestamp: number): AnyOrchestratorEvent => ({
  type: 'orchestrator:all-agents-terminated',
  payload: { orchestrator: 'main', timestamp, completed: 1, stopped: 0, failed: 0, killed: 0, skipped: 0 },
});

const seqs = (events: StoredEvent[]) => events.map((event) => event.seq);

/** Asserts `fn` throws an InvalidOptionError for `option` whose message shows `shown` (the value). */
function assertInvalid(fn: () => unknown, option: string, value: unknown, shown: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_INVALID_OPTION');
    assert.equal(error.option, option);
    assert.deepEqual(error.value, value);
    assert.ok(error.message.includes(`"${option}"`), `message names the option: ${error.message}`);
    assert.ok(error.message.includes(shown), `message shows ${shown}: ${error.message}`);
    return true;
  });
}

/**
 * A store of 12 events, timestamps 100..111, seqs 1..12:
 * a: running(100) heartbeat(101) state(102) | b: running(103) heartbeat(104) state(105) | repeat at 106..111
 */
function sampleStore(): EventStore {
  const store = new EventStore();
  let t = 100;
  for (let round = 0; round < 2; round++) {
    for (const agent of ['a', 'b']) {
      store.add(running(agent, t++));
      store.add(heartbeat(agent, t++));
      store.add(stateChanged(agent, t++));
    }
  }
  return store;
}

describe('EventStore: adding', () => {
  test('stores seq, type, agent, timestamp and the payload itself', () => {
    const store = new EventStore();
    const event = heartbeat('a', 1234, 7);
    const stored = store.add(event);
    assert.deepEqual(stored, {
      seq: 1,
      type: 'agent:heartbeat',
      agent: 'a',
      timestamp: 1234,
      payload: event.payload,
    });
    assert.equal(stored.payload, event.payload);
    assert.ok(Object.isFrozen(stored));
    assert.equal(store.add(running('b', 1235)).seq, 2);
    assert.equal(store.size, 2);
    assert.deepEqual(store.query(), [stored, store.query({ agent: 'b' })[0]]);
  });

  test('orchestrator-wide events have no agent', () => {
    const store = new EventStore();
    const stored = store.add(allTerminated(5));
    assert.equal(stored.agent, undefined);
    assert.equal(stored.timestamp, 5);
    assert.deepEqual(seqs(store.query({ type: 'orchestrator:all-agents-terminated' })), [1]);
    assert.deepEqual(store.query({ agent: 'main' }), []);
  });

  test('an unknown event type is refused and nothing is stored', () => {
    const store = new EventStore();
    const bad = {
      type: 'agent:exploded',
      payload: { agent: 'a', timestamp: 1 },
    } as unknown as AnyOrchestratorEvent;
    assertInvalid(() => store.add(bad), 'event.type', 'agent:exploded', '"agent:exploded"');
    assert.equal(store.size, 0);
  });
});

describe('EventStore: payloads kept as columns', () => {
  const compact: AnyOrchestratorEvent[] = [
    { type: 'agent:registered', payload: { agent: 'a', timestamp: 1, mode: 'process' } },
    { type: 'agent:queued', payload: { agent: 'a', timestamp: 1, position: 70_000 } },
    { type: 'agent:state-changed', payload: { agent: 'a', timestamp: 2, from: 'waiting', to: 'starting' } },
    { type: 'agent:state-changed', payload: { agent: 'a', timestamp: 3, from: 'skipped', to: 'registered' } },
    {
      type: 'agent:started',
      payload: { agent: 'a', timestamp: 4, mode: 'inline', pid: process.pid, threadId: undefined },
    },
    { type: 'agent:ready', payload: { agent: 'b', timestamp: 5.5 } },
    { type: 'agent:running', payload: { agent: 'b', timestamp: 6 } },
  ];

  test('the commonest small events come back equal, key for key and in order, not the same object', () => {
    const store = new EventStore();
    for (const event of compact) store.add(event);
    const stored = store.query();
    assert.deepEqual(
      stored.map((event) => event.payload),
      compact.map((event) => event.payload),
    );
    for (const [index, event] of stored.entries()) {
      assert.equal(JSON.stringify(event.payload), JSON.stringify(compact[index]!.payload));
      assert.ok('threadId' in (event.payload as object) === event.type.endsWith('started'));
      assert.notEqual(event.payload, compact[index]!.payload);
    }
    assert.deepEqual(seqs(store.query({ agent: 'b' })), [6, 7]);
    assert.deepEqual(seqs(store.query({ since: 3, until: 5.5 })), [4, 5, 6]);
  });

  test('one that is not exactly its type’s shape is kept as it is', () => {
    const store = new EventStore();
    const kept: AnyOrchestratorEvent[] = [
      // a key too many, a status or mode not in the lists, a thread's or another process's start
      { type: 'agent:ready', payload: { agent: 'a', timestamp: 1, extra: 1 } as never },
      {
        type: 'agent:state-changed',
        payload: { agent: 'a', timestamp: 2, from: 'nope', to: 'ready' } as never,
      },
      { type: 'agent:registered', payload: { agent: 'a', timestamp: 3, mode: 'fiber' } as never },
      { type: 'agent:queued', payload: { agent: 'a', timestamp: 3, position: 1.5 } },
      { type: 'agent:queued', payload: { agent: 'a', timestamp: 3, position: 2 ** 32 } },
      {
        type: 'agent:started',
        payload: { agent: 'a', timestamp: 4, mode: 'thread', pid: process.pid, threadId: 3 },
      },
      {
        type: 'agent:started',
        payload: { agent: 'a', timestamp: 5, mode: 'process', pid: 1, threadId: undefined },
      },
      {
        type: 'agent:running',
        payload: Object.assign(Object.create({ inherited: 1 }), { agent: 'a', timestamp: 6 }),
      },
      { type: 'agent:running', payload: { agent: 7, timestamp: 7 } as never },
    ];
    for (const event of kept) store.add(event);
    assert.deepEqual(
      store.query().map((event) => event.payload),
      kept.map((event) => event.payload),
    );
    for (const [index, event] of store.query().entries()) assert.equal(event.payload, kept[index]!.payload);
  });

  test('columns survive compaction and growth, and rules evict them by agent', () => {
    const store = new EventStore({ capacity: 500, retention: { 'agent:state-changed': { perAgent: 2 } } });
    const added: AnyOrchestratorEvent[] = [];
    for (let i = 0; i < 2_000; i++) {
      const event =
        i % 3 === 0
          ? stateChanged(`a${i % 7}`, i)
          : i % 3 === 1
            ? running(`a${i % 5}`, i)
            : heartbeat('h', i);
      added.push(event);
      store.add(event);
    }
    const held = store.query();
    assert.equal(held.length, 500);
    for (const event of held) assert.deepEqual(event.payload, added[event.seq - 1]!.payload);
    for (let agent = 0; agent < 7; agent++) {
      assert.equal(store.query({ agent: `a${agent}`, type: 'agent:state-changed' }).length, 2);
    }
  });
});

describe('EventStore: capacity', () => {
  test('defaults to 10,000', () => {
    assert.equal(new EventStore().capacity, 10_000);
    assert.equal(new EventStore({}).capacity, 10_000);
  });

  test('evicts the oldest first and counts what it dropped', () => {
    const store = new EventStore({ capacity: 3 });
    for (let i = 1; i <= 5; i++) store.add(running(i % 2 ? 'odd' : 'even', i));
    assert.equal(store.size, 3);
    assert.equal(store.dropped, 2);
    assert.deepEqual(seqs(store.query()), [3, 4, 5]);
    // The per-agent indexes lose the evicted events too.
    assert.deepEqual(seqs(store.query({ agent: 'odd' })), [3, 5]);
    assert.deepEqual(seqs(store.query({ agent: 'even' })), [4]);
    assert.deepEqual(seqs(store.query({ agent: 'even', type: 'agent:running' })), [4]);
  });

  test('an evicted event is not held: its payload can be collected', async () => {
    // The store must let go of what it evicts, by capacity or by a rule: a history that kept
    // payloads alive would grow with the stream of events, however small its capacity.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = new EventStore({ capacity: 2, retention: { 'agent:heartbeat': { perAgent: 1 } } });
    const evicted = [heartbeat('a', 1).payload, running('a', 2).payload];
    store.record('agent:heartbeat', evicted[0]!);
    store.record('agent:running', evicted[1]!);
    const refs = evicted.map((payload) => new WeakRef(payload));
    evicted.length = 0;
    store.record('agent:heartbeat', heartbeat('a', 3).payload); // evicts the first by its rule
    store.record('agent:running', running('a', 4).payload); // evicts the second by capacity
    assert.deepEqual(seqs(store.query()), [3, 4]);
    // WeakRefs hold their targets until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(
      refs.map((ref) => ref.deref()),
      [undefined, undefined],
    );
  });

  test('what a rule keeps track of stays bounded: 1,000,000 heartbeats leave the heap flat', () => {
    // perAgent evicts from the middle of the type's queue for `total`, which never reaches its
    // bound here: evicted seqs must be tidied out of it, or it grows with every event.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = new EventStore({ retention: { 'agent:heartbeat': { perAgent: 1, total: 1000 } } });
    const addBeats = (from: number, count: number) => {
      for (let i = from; i < from + count; i++) store.add(heartbeat(`a${i % 10}`, i, i));
    };
    addBeats(0, 10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    addBeats(10_000, 1_000_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(store.size, 10);
    assert.ok(grown < 2 ** 20, `the heap grew by ${grown} bytes`);
  });

  test('capacity 1 keeps just the newest', () => {
    const store = new EventStore({ capacity: 1 });
    store.add(running('a', 1));
    store.add(allTerminated(2));
    assert.deepEqual(seqs(store.query()), [2]);
    assert.deepEqual(store.query({ agent: 'a' }), []);
    assert.equal(store.dropped, 1);
  });

  test('100,000 adds stay at capacity, indexes included', () => {
    const store = new EventStore({ capacity: 1000, retention: { 'agent:heartbeat': { perAgent: 2 } } });
    for (let i = 0; i < 100_000; i++) {
      const agent = `agent-${i % 100}`;
      store.add(i % 3 === 0 ? heartbeat(agent, i, i) : stateChanged(agent, i));
      assert.ok(store.size <= 1000);
    }
    assert.equal(store.size, 1000);
    assert.equal(store.dropped, 100_000 - 1000);
    const all = store.query();
    assert.equal(all.length, 1000);
    assert.equal(all.at(-1)?.seq, 100_000);
    // Every index agrees with the full list: no stale entries behind.
    let viaAgents = 0;
    for (let a = 0; a < 100; a++) viaAgents += store.query({ agent: `agent-${a}` }).length;
    assert.equal(viaAgents, 1000);
    const heartbeats = store.query({ type: 'agent:heartbeat' });
    assert.equal(heartbeats.length, all.filter((event) => event.type === 'agent:heartbeat').length);
    assert.ok(heartbeats.length <= 200);
  });
});

describe('EventStore: retention rules', () => {
  test('perAgent keeps the last N of that type for each agent; other types are untouched', () => {
    const store = new EventStore({ retention: { 'agent:heartbeat': { perAgent: 2 } } });
    for (let i = 0; i < 5; i++) {
      store.add(heartbeat('a', i, i));
      store.add(heartbeat('b', i, i));
      store.add(running('a', i));
    }
    const aBeats = store.query({ agent: 'a', type: 'agent:heartbeat' });
    assert.deepEqual(
      aBeats.map((event) => (event.payload as { sequence: number }).sequence),
      [3, 4],
    );
    assert.equal(store.query({ agent: 'b', type: 'agent:heartbeat' }).length, 2);
    assert.equal(store.query({ type: 'agent:running' }).length, 5);
    assert.equal(store.size, 9);
    assert.equal(store.dropped, 6);
  });

  test('noisy events governed by a rule do not push the rest out', () => {
    const store = new EventStore({ capacity: 10, retention: { 'agent:heartbeat': { perAgent: 1 } } });
    for (let i = 0; i < 8; i++) store.add(running(`a${i}`, i));
    for (let i = 0; i < 1000; i++) store.add(heartbeat('a0', 100 + i, i));
    assert.equal(store.query({ type: 'agent:running' }).length, 8);
    assert.equal(store.query({ type: 'agent:heartbeat' }).length, 1);
    assert.equal(store.size, 9);
  });

  test('total keeps the last N of that type over all agents', () => {
    const store = new EventStore({ retention: { 'agent:heartbeat': { total: 3 } } });
    for (let i = 0; i < 6; i++) store.add(heartbeat(i % 2 ? 'a' : 'b', i, i));
    store.add(running('a', 99));
    assert.deepEqual(seqs(store.query({ type: 'agent:heartbeat' })), [4, 5, 6]);
    assert.deepEqual(seqs(store.query()), [4, 5, 6, 7]);
    assert.equal(store.dropped, 3);
  });

  test('perAgent and total together: each bound holds', () => {
    const store = new EventStore({ retention: { 'agent:heartbeat': { perAgent: 2, total: 3 } } });
    store.add(heartbeat('a', 1)); // 1
    store.add(heartbeat('b', 2)); // 2
    store.add(heartbeat('a', 3)); // 3
    store.add(heartbeat('a', 4)); // 4: a has 3 -> drop 1
    assert.deepEqual(seqs(store.query()), [2, 3, 4]);
    store.add(heartbeat('c', 5)); // 5: total 4 -> drop 2 (b's only one)
    assert.deepEqual(seqs(store.query()), [3, 4, 5]);
    assert.deepEqual(store.query({ agent: 'b' }), []);
    assert.equal(store.dropped, 2);
  });

  test('a limit of 0 keeps none of that type; add still returns the event', () => {
    const store = new EventStore({ retention: { 'agent:heartbeat': { total: 0 } } });
    const stored = store.add(heartbeat('a', 1));
    assert.equal(stored.seq, 1);
    store.add(running('a', 2));
    assert.deepEqual(seqs(store.query()), [2]);
    assert.equal(store.dropped, 1);
    const perAgent = new EventStore({ retention: { 'agent:heartbeat': { perAgent: 0 } } });
    perAgent.add(heartbeat('a', 1));
    assert.equal(perAgent.size, 0);
  });

  test('total applies to orchestrator-wide events', () => {
    const store = new EventStore({ retention: { 'orchestrator:all-agents-terminated': { total: 1 } } });
    store.add(allTerminated(1));
    store.add(allTerminated(2));
    assert.deepEqual(seqs(store.query()), [2]);
  });
});

describe('EventStore: queries', () => {
  test('no query returns everything, oldest first', () => {
    assert.deepEqual(seqs(sampleStore().query()), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(seqs(sampleStore().query({})), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('each filter alone', () => {
    const store = sampleStore();
    assert.deepEqual(seqs(store.query({ agent: 'a' })), [1, 2, 3, 7, 8, 9]);
    assert.deepEqual(store.query({ agent: 'nobody' }), []);
    assert.deepEqual(seqs(store.query({ type: 'agent:heartbeat' })), [2, 5, 8, 11]);
    assert.deepEqual(
      seqs(store.query({ type: ['agent:heartbeat', 'agent:running'] })),
      [1, 2, 4, 5, 7, 8, 10, 11],
    );
    assert.deepEqual(seqs(store.query({ type: ['agent:heartbeat'] })), [2, 5, 8, 11]);
    assert.deepEqual(store.query({ type: [] }), []);
    assert.deepEqual(store.query({ type: 'agent:error' }), []);
    assert.deepEqual(seqs(store.query({ since: 109 })), [10, 11, 12]);
    assert.deepEqual(seqs(store.query({ until: 101 })), [1, 2]);
    assert.deepEqual(seqs(store.query({ limit: 2 })), [11, 12]);
  });

  test('since and until are inclusive; since === until selects one instant', () => {
    const store = sampleStore();
    assert.deepEqual(seqs(store.query({ since: 103, until: 105 })), [4, 5, 6]);
    assert.deepEqual(seqs(store.query({ since: 104, until: 104 })), [5]);
    assert.deepEqual(store.query({ since: 200 }), []);
  });

  test('filters combine with AND', () => {
    const store = sampleStore();
    assert.deepEqual(seqs(store.query({ agent: 'b', type: 'agent:heartbeat' })), [5, 11]);
    assert.deepEqual(
      seqs(store.query({ agent: 'b', type: ['agent:heartbeat', 'agent:state-changed'] })),
      [5, 6, 11, 12],
    );
    assert.deepEqual(seqs(store.query({ agent: 'a', since: 102, until: 107 })), [3, 7, 8]);
    assert.deepEqual(seqs(store.query({ type: 'agent:running', since: 103 })), [4, 7, 10]);
    assert.deepEqual(
      seqs(store.query({ agent: 'a', type: 'agent:running', since: 100, until: 111, limit: 1 })),
      [7],
    );
    assert.deepEqual(seqs(store.query({ type: ['agent:running'], until: 106, limit: 2 })), [4, 7]);
  });

  test('limit takes the newest N that match, returned oldest first', () => {
    const store = sampleStore();
    assert.deepEqual(seqs(store.query({ agent: 'a', limit: 4 })), [3, 7, 8, 9]);
    assert.deepEqual(seqs(store.query({ until: 105, limit: 2 })), [5, 6]);
    assert.deepEqual(store.query({ limit: 0 }), []);
    assert.equal(store.query({ limit: 1000 }).length, 12);
  });

  test('results are copies of the list: changing them changes nothing stored', () => {
    const store = sampleStore();
    store.query().length = 0;
    assert.equal(store.query().length, 12);
  });

  test('timestamps need not be in order: since/until filter each event', () => {
    const store = new EventStore();
    store.add(running('a', 50));
    store.add(running('a', 10));
    store.add(running('a', 30));
    assert.deepEqual(seqs(store.query({ since: 20 })), [1, 3]);
    assert.deepEqual(seqs(store.query({ until: 30, limit: 1 })), [3]);
  });

  test('bad queries throw naming the field and value, and change nothing', () => {
    const store = sampleStore();
    const cases: [unknown, string, unknown, string][] = [
      [{ since: 10, until: 5 }, 'query.since', 10, 'query.until (5)'],
      [{ limit: -1 }, 'query.limit', -1, 'received -1'],
      [{ limit: 1.5 }, 'query.limit', 1.5, 'received 1.5'],
      [{ limit: Number.NaN }, 'query.limit', Number.NaN, 'an integer >= 0'],
      [{ type: 'agent:exploded' }, 'query.type', 'agent:exploded', '"agent:exploded"'],
      [{ type: ['agent:heartbeat', 'nope'] }, 'query.type[1]', 'nope', 'agent:heartbeat'],
      [{ agent: 42 }, 'query.agent', 42, 'a string'],
      [{ since: 'yesterday' }, 'query.since', 'yesterday', 'a timestamp'],
      [{ until: Number.NaN }, 'query.until', Number.NaN, 'NaN'],
      [{ agnet: 'a' }, 'query.agnet', 'agnet', 'known: agent, type, since, until, limit'],
      [null, 'query', null, 'an object'],
    ];
    for (const [query, option, value, shown] of cases) {
      assertInvalid(() => store.query(query as EventQuery), option, value, shown);
      assertInvalid(() => validateQuery(query as EventQuery), option, value, shown);
    }
    assert.equal(store.size, 12);
    assert.equal(store.dropped, 0);
  });

  test('validateQuery makes every bound explicit', () => {
    assert.deepEqual(validateQuery(undefined), {
      agent: undefined,
      types: undefined,
      since: Number.NEGATIVE_INFINITY,
      until: Number.POSITIVE_INFINITY,
      limit: Number.POSITIVE_INFINITY,
    });
    const resolved = validateQuery({ agent: 'a', type: 'agent:ready', since: 1, until: 2, limit: 3 });
    assert.deepEqual(resolved, { agent: 'a', types: new Set(['agent:ready']), since: 1, until: 2, limit: 3 });
  });
});

describe('EventStore: against a plain model', () => {
  /** The same bounds, written the obvious way: a list, filtered and spliced. */
  class Model {
    readonly events: StoredEvent[] = [];
    seq = 0;
    dropped = 0;
    readonly capacity: number;
    readonly rules: Partial<Record<OrchestratorEventName, { perAgent?: number; total?: number }>>;
    constructor(capacity: number, rules: Model['rules']) {
      this.capacity = capacity;
      this.rules = rules;
    }
    add(event: AnyOrchestratorEvent): void {
      const agent = 'agent' in event.payload ? event.payload.agent : undefined;
      this.events.push({
        seq: ++this.seq,
        type: event.type,
        agent,
        timestamp: event.payload.timestamp,
        payload: event.payload,
      });
      const rule = this.rules[event.type];
      const drop = (match: (stored: StoredEvent) => boolean, limit: number | undefined) => {
        const matching = this.events.filter(match);
        if (limit !== undefined && matching.length > limit) this.remove(matching[0]!);
      };
      if (agent !== undefined) drop((e) => e.type === event.type && e.agent === agent, rule?.perAgent);
      drop((e) => e.type === event.type, rule?.total);
      if (this.events.length > this.capacity) this.remove(this.events[0]!);
    }
    remove(event: StoredEvent): void {
      this.events.splice(this.events.indexOf(event), 1);
      this.dropped++;
    }
  }

  test('100,000 random events: every query agrees with the model, at every 1,000th step', () => {
    const rules = {
      'agent:heartbeat': { perAgent: 2, total: 7 },
      'agent:running': { perAgent: 1 },
      'agent:state-changed': { total: 5 },
    };
    const store = new EventStore({ capacity: 40, retention: rules });
    const model = new Model(40, rules);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const makers = [heartbeat, running, stateChanged, heartbeat, heartbeat];
    const queries: EventQuery[] = [
      {},
      { agent: 'a1' },
      { type: 'agent:heartbeat' },
      { type: 'agent:heartbeat', agent: 'a2' },
      { type: 'agent:running', agent: 'a0' },
      { type: 'agent:state-changed' },
      { type: ['agent:running', 'agent:heartbeat'], limit: 3 },
      { agent: 'a3', since: 50_000 },
    ];
    for (let i = 0; i < 100_000; i++) {
      const event = i % 997 === 0 ? allTerminated(i) : makers[random(makers.length)]!(`a${random(5)}`, i);
      store.add(event);
      model.add(event);
      if (i % 1000 !== 999) continue;
      assert.equal(store.size, model.events.length);
      assert.equal(store.dropped, model.dropped);
      for (const query of queries) {
        const resolved = validateQuery(query);
        const expected = model.events.filter((event) =>
          matchesQuery(resolved, event.type, event.timestamp, event.agent),
        );
        assert.deepEqual(
          store.query(query),
          expected.slice(-(query.limit ?? expected.length) || expected.length),
          JSON.stringify(query),
        );
      }
    }
  });
});

describe('EventStore: options', () => {
  test('bad options throw naming the option and value', () => {
    const cases: [unknown, string, unknown, string][] = [
      [{ capacity: 0 }, 'history.capacity', 0, 'a positive integer'],
      [{ capacity: -5 }, 'history.capacity', -5, 'received -5'],
      [{ capacity: 2.5 }, 'history.capacity', 2.5, 'received 2.5'],
      [{ capacity: '100' }, 'history.capacity', '100', '"100"'],
      [
        { capacity: Number.POSITIVE_INFINITY },
        'history.capacity',
        Number.POSITIVE_INFINITY,
        'a positive integer',
      ],
      [{ capacty: 5 }, 'history.capacty', 'capacty', 'known: capacity, retention'],
      [{ retention: 'all' }, 'history.retention', 'all', 'an object keyed by event name'],
      [
        { retention: { 'agent:hearbeat': { perAgent: 2 } } },
        'history.retention.agent:hearbeat',
        'agent:hearbeat',
        'agent:heartbeat',
      ],
      [
        { retention: { 'agent:heartbeat': 2 } },
        'history.retention.agent:heartbeat',
        2,
        '{ perAgent?, total? }',
      ],
      [
        { retention: { 'agent:heartbeat': { perAgent: -1 } } },
        'history.retention.agent:heartbeat.perAgent',
        -1,
        'an integer >= 0',
      ],
      [
        { retention: { 'agent:heartbeat': { total: 0.5 } } },
        'history.retention.agent:heartbeat.total',
        0.5,
        'received 0.5',
      ],
      [
        { retention: { 'agent:heartbeat': { per_agent: 1 } } },
        'history.retention.agent:heartbeat.per_agent',
        'per_agent',
        'known: perAgent, total',
      ],
      [
        { retention: { 'orchestrator:all-agents-terminated': { perAgent: 1 } } },
        'history.retention.orchestrator:all-agents-terminated.perAgent',
        1,
        'use total',
      ],
      [7, 'history', 7, 'an object'],
    ];
    for (const [options, option, value, shown] of cases) {
      assertInvalid(() => new EventStore(options as never), option, value, shown);
    }
  });

  test('every event name is accepted as a retention key', () => {
    const names: OrchestratorEventName[] = ['agent:heartbeat', 'agent:state-changed', 'agent:error'];
    const retention = Object.fromEntries(names.map((name) => [name, { total: 5 }]));
    assert.equal(new EventStore({ retention }).size, 0);
  });
});

describe('EventStore: clear', () => {
  test('forgets every event and resets dropped; seqs keep counting', () => {
    const store = new EventStore({ capacity: 2 });
    for (let i = 0; i < 4; i++) store.add(running('a', i));
    assert.equal(store.dropped, 2);
    store.clear();
    assert.equal(store.size, 0);
    assert.equal(store.dropped, 0);
    assert.deepEqual(store.query(), []);
    assert.deepEqual(store.query({ agent: 'a' }), []);
    assert.deepEqual(store.query({ type: 'agent:running' }), []);
    assert.equal(store.add(running('a', 9)).seq, 5);
    assert.deepEqual(seqs(store.query({ agent: 'a', type: 'agent:running' })), [5]);
    assert.equal(store.size, 1);
  });
});
