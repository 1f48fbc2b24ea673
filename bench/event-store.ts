/**
 * History costs:
 *  - 1,000,000 events (state changes, heartbeats of 100 agents under a `perAgent: 2` rule,
 *    terminations) into an EventStore of capacity 10,000: heap before and after, size, dropped,
 *    adds per second. The heap must stay flat: the store is bounded by its capacity.
 *  - 10,000 SqliteHistory appends to a temp file (WAL, synchronous NORMAL): µs per append.
 *
 *   node --expose-gc bench/event-store.ts
 *
 * Without --expose-gc the heap figures include garbage not yet collected (said in the output).
 * Environment: BENCH_EVENTS (default 1000000), BENCH_SQLITE_APPENDS (10000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyOrchestratorEvent } from '../src/events/event-map.ts';
import { EventStore } from '../src/history/event-store.ts';
import { SqliteHistory } from '../src/history/sqlite-history.ts';

const total = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const sqliteAppends = Number(process.env.BENCH_SQLITE_APPENDS ?? 10_000);
const agents = Array.from({ length: 100 }, (_, index) => `worker-${index}`);
const gc = (globalThis as { gc?: () => void }).gc;

const heapMb = () => {
  gc?.();
  return (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1);
};

/** A realistic mix: of every 10 events an agent sends, 7 heartbeats, 2 state changes, 1 termination. */
function eventAt(index: number): AnyOrchestratorEvent {
  const agent = agents[index % agents.length]!;
  const timestamp = 1_700_000_000_000 + index;
  const kind = Math.floor(index / agents.length) % 10; // each agent goes through every kind
  if (kind < 7) return { type: 'agent:heartbeat', payload: { agent, timestamp, sequence: index } };
  if (kind < 9)
    return { type: 'agent:state-changed', payload: { agent, timestamp, from: 'running', to: 'stopping' } };
  return {
    type: 'agent:terminated',
    payload: {
      agent,
      timestamp,
      reason: 'completed',
      exitCode: 0,
      signal: null,
      result: { processed: index, checksum: `sha-${index.toString(16)}` },
      error: undefined,
      durationMs: 12.5,
    },
  };
}

console.log(
  `${['node', ...process.execArgv].join(' ')} bench/event-store.ts (Node ${process.version}) — gc ${
    gc ? 'forced before each heap reading (--expose-gc)' : 'NOT exposed: heap figures include garbage'
  }`,
);

const store = new EventStore({ capacity: 10_000, retention: { 'agent:heartbeat': { perAgent: 2 } } });
const heapBefore = heapMb();
/**
 * Adds events [from, to) as the orchestrator does (`record`: the StoredEvent is built only when
 * read) and returns the ms it took (the heap readings stay out of the timing).
 */
const addRange = (from: number, to: number) => {
  const start = performance.now();
  for (let i = from; i < to; i++) {
    const { type, payload } = eventAt(i);
    store.record(type, payload);
  }
  return performance.now() - start;
};
let elapsed = addRange(0, total / 10);
const heapAtTenth = heapMb();
elapsed += addRange(total / 10, total);
const heapAfter = heapMb();
console.log(
  `EventStore: ${total.toLocaleString('en')} adds, capacity ${store.capacity.toLocaleString('en')}`,
);
console.log(
  `  heap used before ${heapBefore} MB, after ${(total / 10).toLocaleString('en')} adds ${heapAtTenth} MB, after all ${heapAfter} MB`,
);
console.log(`  size ${store.size.toLocaleString('en')}, dropped ${store.dropped.toLocaleString('en')}`);
console.log(
  `  ${Math.round(total / (elapsed / 1000)).toLocaleString('en')} adds/s (${elapsed.toFixed(0)} ms, event objects built in the loop included)`,
);
const heartbeatsKept = store.query({ type: 'agent:heartbeat' }).length;
console.log(
  `  kept ${heartbeatsKept} heartbeats (2 per agent) and ${store.size - heartbeatsKept} other events`,
);
const queryStart = performance.now();
const recent = store.query({ agent: 'worker-7', limit: 50 });
console.log(
  `  query { agent, limit: 50 }: ${recent.length} events in ${(performance.now() - queryStart).toFixed(2)} ms`,
);

const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-bench-history-'));
try {
  const history = SqliteHistory.open(join(dir, 'history.db'));
  const events = store.query();
  const sqliteStart = performance.now();
  for (let i = 0; i < sqliteAppends; i++) history.append(events[i % events.length]!);
  const sqliteElapsed = performance.now() - sqliteStart;
  const readStart = performance.now();
  const read = history.query({ agent: 'worker-7', limit: 50 }).length;
  const readMs = performance.now() - readStart;
  history.close();
  console.log(
    `SqliteHistory: ${sqliteAppends.toLocaleString('en')} appends, ${((sqliteElapsed * 1000) / sqliteAppends).toFixed(1)} µs per append (${sqliteElapsed.toFixed(0)} ms)`,
  );
  console.log(
    `  query { agent, limit: 50 } over ${sqliteAppends.toLocaleString('en')} rows: ${read} events in ${readMs.toFixed(2)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
