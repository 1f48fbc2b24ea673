import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { InvalidOptionError, OrchestratorError } from '../../src/errors.ts';
import type { AnyOrchestratorEvent } from '../../src/events/event-map.ts';
import type { EventQuery, StoredEvent } from '../../src/history/event-query.ts';
import { EventStore } from '../../src/history/event-store.ts';
import { SqliteHistory } from '../../src/history/sqlite-history.ts';
import { assertNoLeftovers } from '../helpers/leftovers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-history-'));
let files = 0;
const tempFile = () => join(dir, `history-${++files}.db`);
const children = new Set<ChildProcess>();

after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const stored = (seq: number, payload: Record<string, unknown>, type = 'agent:terminated'): StoredEvent => ({
  seq,
  type: type as StoredEvent['type'],
  agent: payload.agent as string | undefined,
  timestamp: payload.timestamp as number,
  payload,
});

/** The same mix as the EventStore tests: running / heartbeat / state-changed for a and b, t = 100..111. */
function sampleEvents(): AnyOrchestratorEvent[] {
  const events: AnyOrchestratorEvent[] = [];
  let t = 100;
  for (let round = 0; round < 2; round++) {
    for (const agent of ['a', 'b']) {
      events.push({ type: 'agent:running', payload: { agent, timestamp: t++ } });
      events.push({ type: 'agent:heartbeat', payload: { agent, timestamp: t++, sequence: round } });
      events.push({
        type: 'agent:state-changed',
        payload: { agent, timestamp: t++, from: 'starting', to: 'running' },
      });
    }
  }
  events.push({
    type: 'orchestrator:all-agents-terminated',
    payload: {
      orchestrator: 'main',
      timestamp: t,
      completed: 2,
      stopped: 0,
      failed: 0,
      killed: 0,
      skipped: 0,
    },
  });
  return events;
}

describe('SqliteHistory', () => {
  test('append then query returns the events as stored', () => {
    const history = SqliteHistory.open(tempFile());
    const store = new EventStore();
    const events = sampleEvents().map((event) => store.add(event));
    for (const event of events) history.append(event);
    assert.deepEqual(history.query(), events);
    const last = history.query({ limit: 1 })[0];
    assert.equal(last?.agent, undefined);
    assert.equal(last?.type, 'orchestrator:all-agents-terminated');
    history.close();
  });

  test('every query gives what EventStore.query gives for the same events', () => {
    const history = SqliteHistory.open(tempFile());
    const store = new EventStore();
    for (const event of sampleEvents()) history.append(store.add(event));
    const queries: EventQuery[] = [
      {},
      { agent: 'a' },
      { agent: 'nobody' },
      { type: 'agent:heartbeat' },
      { type: ['agent:heartbeat', 'agent:running'] },
      { type: [] },
      { since: 109 },
      { until: 101 },
      { since: 104, until: 104 },
      { limit: 2 },
      { limit: 0 },
      { agent: 'b', type: 'agent:heartbeat' },
      { agent: 'a', since: 102, until: 107 },
      { type: ['agent:running'], until: 106, limit: 2 },
      { agent: 'a', type: 'agent:running', since: 100, until: 111, limit: 1 },
      { agent: 'a', limit: 4 },
    ];
    for (const query of queries)
      assert.deepEqual(history.query(query), store.query(query), JSON.stringify(query));
    history.close();
  });

  test('bad queries throw the same errors as EventStore.query', () => {
    const history = SqliteHistory.open(tempFile());
    for (const query of [{ since: 10, until: 5 }, { limit: -1 }, { type: 'agent:nope' }] as EventQuery[]) {
      const expected = (() => {
        try {
          new EventStore().query(query);
        } catch (error) {
          return error;
        }
      })();
      assert.ok(expected instanceof InvalidOptionError);
      assert.throws(() => history.query(query), { name: 'InvalidOptionError', message: expected.message });
    }
    history.close();
  });

  test('a reopened file reads back what was appended, and appends continue after it', () => {
    const file = tempFile();
    const first = SqliteHistory.open(file);
    const error = {
      name: 'Error',
      message: 'boom',
      stack: 'Error: boom\n    at x',
      code: 'E_X',
      props: { n: 1 },
    };
    const terminated = stored(1, {
      agent: 'a',
      timestamp: 10,
      reason: 'failed',
      exitCode: 1,
      signal: null,
      result: { rows: [1, 2, 3], nested: { ok: false } },
      error,
      durationMs: 5,
    });
    first.append(terminated);
    first.close();
    first.close(); // idempotent

    const second = SqliteHistory.open(file);
    assert.deepEqual(second.query(), [terminated]);
    const next = stored(1, { agent: 'b', timestamp: 11 }, 'agent:ready');
    second.append(next); // seq 1 again: a new run's EventStore; rows keep their order all the same
    assert.deepEqual(second.query(), [terminated, next]);
    assert.deepEqual(second.query({ limit: 1 }), [next]);
    second.close();

    const raw = new DatabaseSync(file);
    assert.deepEqual({ ...raw.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' });
    raw.close();
  });

  test('payloads JSON cannot hold are stored as JSON would, never a crash', () => {
    const history = SqliteHistory.open(tempFile());
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    history.append(
      stored(1, {
        agent: 'a',
        timestamp: 1,
        result: cyclic,
        error: undefined,
        big: 12n,
        when: new Date(0),
        nan: Number.NaN,
      }),
    );
    history.append(stored(2, { agent: 'a', timestamp: 2, result: { count: 2n ** 70n } }));
    const [first, second] = history.query();
    const payload = first?.payload as Record<string, unknown>;
    assert.equal(payload.agent, 'a');
    assert.equal(payload.big, '12n');
    assert.equal(payload.when, '1970-01-01T00:00:00.000Z');
    assert.equal(payload.nan, null);
    assert.ok(!('error' in payload));
    assert.match(String(payload.result), /^\[not JSON: .*circular/i);
    assert.deepEqual(second?.payload, {
      agent: 'a',
      timestamp: 2,
      result: { count: '1180591620717411303424n' },
    });
    history.close();
  });

  test('append and query after close throw ERR_SHUT_DOWN', () => {
    const history = SqliteHistory.open(tempFile());
    history.close();
    assert.throws(
      () => history.append(stored(1, { agent: 'a', timestamp: 1 })),
      (error: unknown) => {
        assert.ok(error instanceof OrchestratorError);
        assert.equal(error.code, 'ERR_SHUT_DOWN');
        return true;
      },
    );
    assert.throws(() => history.query(), { code: 'ERR_SHUT_DOWN' });
  });

  test('a file that cannot be opened, or holds another schema, is refused naming history.file', () => {
    const missingDir = join(dir, 'no-such-dir', 'history.db');
    assert.throws(
      () => SqliteHistory.open(missingDir),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.option, 'history.file');
        assert.equal(error.value, missingDir);
        assert.match(error.message, /a path SQLite can open read-write/);
        return true;
      },
    );
    assert.throws(() => SqliteHistory.open(''), { option: 'history.file' });
    // Reading (readHistory) opens with `existing`: a missing file is refused, not created empty.
    const missing = join(dir, 'never-written.db');
    assert.throws(() => SqliteHistory.open(missing, true), {
      option: 'history.file',
      message: /an existing history file/,
    });
    assert.equal(existsSync(missing), false);
    const other = tempFile();
    const raw = new DatabaseSync(other);
    raw.exec('PRAGMA user_version = 7');
    raw.close();
    assert.throws(() => SqliteHistory.open(other), {
      option: 'history.file',
      message: /schema version 1 or a new file \(found version 7\)/,
    });
  });

  test('a SIGKILLed writer loses no event it reported as appended', async () => {
    const file = tempFile();
    const fixture = new URL('./fixtures/history-writer.ts', import.meta.url).pathname;
    // stdin stays open until after the kill: the child exits by itself if it ever closes (we died).
    const child = spawn(process.execPath, [fixture, file], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const reported: number[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) reported.push(Number(line));
      if (reported.length >= 200 && child.signalCode === null) child.kill('SIGKILL');
    });
    // 'close' comes after 'exit' and after stdout ended: every line the child wrote has been read.
    const [code, signal] = await closed;
    child.stdin.destroy();
    assert.deepEqual({ code, signal }, { code: null, signal: 'SIGKILL' }, `child stderr:\n${stderr}`);
    assert.ok(reported.length >= 200);
    assert.deepEqual(
      reported,
      reported.map((_, index) => index + 1),
    );

    const history = SqliteHistory.open(file);
    const saved = new Set(history.query().map((event) => event.seq));
    history.close();
    const lost = reported.filter((seq) => !saved.has(seq));
    assert.deepEqual(lost, [], `${lost.length} of ${reported.length} reported seqs missing`);
    await assertNoLeftovers();
  });
});
