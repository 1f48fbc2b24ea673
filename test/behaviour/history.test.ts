import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type AnyOrchestratorEvent,
  HeartbeatPlugin,
  InvalidOptionError,
  Orchestrator,
  SharedEvent,
  type StoredEvent,
} from '../../src/index.ts';
import { Doubler, WaitsForStop } from '../fixtures/agents.ts';
import { nextEvent } from '../helpers/events.ts';
import { assertNoLeftovers, itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-durable-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('orchestrator event history', () => {
  it('keeps every event, queryable by agent, type, time range and limit', async (t) => {
    const orchestrator = createOrchestrator(t);
    orchestrator.registerAgent(Doubler, { name: 'a' });
    orchestrator.registerAgent(Doubler, { name: 'b' });
    const started = Date.now();
    await orchestrator.start();
    await orchestrator.join();

    const all = orchestrator.history();
    assert.deepEqual(
      all.map(({ seq }) => seq),
      all.map((_, index) => index + 1),
    );
    assert.equal(all.at(-1)?.type, 'orchestrator:all-agents-terminated');
    const ofA = orchestrator.history({ agent: 'a' });
    assert.ok(ofA.length > 0 && ofA.every(({ agent }) => agent === 'a'));
    assert.deepEqual(
      orchestrator.history({ type: 'agent:terminated' }).map(({ agent }) => agent),
      ['a', 'b'],
    );
    assert.deepEqual(
      orchestrator.history({ type: ['agent:started', 'agent:ready'], agent: 'b' }).map(({ type }) => type),
      ['agent:started', 'agent:ready'],
    );
    assert.equal(orchestrator.history({ limit: 2 }).at(-1)?.seq, all.at(-1)?.seq);
    assert.equal(
      orchestrator.history({ since: started }).length,
      all.filter(({ timestamp }) => timestamp >= started).length,
    );
    assert.throws(
      () => orchestrator.history({ since: 10, until: 5 }),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.option === 'query.since' && error.value === 10,
    );
    assert.throws(() => orchestrator.history({ limit: -1 }), { option: 'query.limit' });
  });

  it('retention rules keep only the last N heartbeats per agent; capacity bounds the rest', async (t) => {
    const orchestrator = createOrchestrator(t, {
      history: { capacity: 50, retention: { 'agent:heartbeat': { perAgent: 2 } } },
    });
    const entry = orchestrator.registerAgent(WaitsForStop, {
      name: 'beating',
      plugins: [new HeartbeatPlugin({ interval: 1 })],
    });
    const tenth = nextEvent(orchestrator, 'agent:heartbeat', ({ sequence }) => sequence === 10);
    await orchestrator.start();
    await tenth;
    await entry.stop();
    const beats = orchestrator.history({ type: 'agent:heartbeat' });
    assert.equal(beats.length, 2);
    assert.ok(orchestrator.history().length <= 50);
    assert.ok(
      orchestrator.history({ type: 'agent:registered' }).length === 1,
      'heartbeats did not push out the rest',
    );
    assert.throws(() => new Orchestrator({ history: { capacity: 0 } }), { option: 'history.capacity' });
    assert.throws(() => new Orchestrator({ history: { file: '' } }), { option: 'history' });
  });

  it('durable history: after a SIGKILL of the orchestrator, every event it emitted is in the file', async () => {
    const file = join(dir, 'crash.db');
    const fixture = new URL('../fixtures/durable-orchestrator.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [fixture, file], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const closed = once(child, 'close');
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const reported: number[] = [];
    let partial = '';
    const enough = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) reported.push(Number(line));
        if (reported.length >= 300) resolve();
      });
    });
    await Promise.race([enough, closed.then(() => assert.fail(`the child ended early:\n${stderr}`))]);
    child.kill('SIGKILL');
    const [, signal] = await closed;
    assert.equal(signal, 'SIGKILL');

    const stored = new Set(Orchestrator.readHistory(file).map(({ seq }) => seq));
    const missing = reported.filter((seq) => !stored.has(seq));
    assert.deepEqual(missing, [], `${missing.length} of ${reported.length} reported events missing`);
    const terminated = Orchestrator.readHistory(file, { type: 'agent:terminated', limit: 1 });
    assert.equal(terminated.length, 1);
    await assertNoLeftovers();
  });
});

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** What two runs of the same agents can share: times, durations, threads and pids differ. */
const VARYING = new Set(['timestamp', 'durationMs', 'threadId', 'pid']);
const comparable = (payload: object) =>
  Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, VARYING.has(key) ? '*' : value]));
const comparableEvents = (events: readonly StoredEvent[]) =>
  events.map(({ seq, type, agent, payload }) => ({
    seq,
    type,
    agent,
    payload: comparable(payload as object),
  }));

/**
 * The small events of a run (state changes, registered, queued, an inline start, ready, running)
 * go into the stats and the history without a payload object while nobody listens, and are built
 * for listeners, streams and the history file: all of them must see the same events either way.
 */
describe('the small events of a run, listened to or not', () => {
  for (const { name, mode, reuse } of PLACEMENTS) {
    it(`${name}: the history and the stats are the same with no listener, a listener, a stream or a history file`, async (t) => {
      const run = async (observer: 'none' | 'listener' | 'stream' | 'file') => {
        const file = observer === 'file' ? join(dir, `small-events-${mode}-${reuse}.db`) : undefined;
        const orchestrator = createOrchestrator(t, { maxWorkers: 1, history: { file } });
        const received: AnyOrchestratorEvent[] = [];
        if (observer === 'listener') orchestrator.on('*', (event) => received.push(event));
        const streamed = new AbortController();
        const streaming =
          observer === 'stream'
            ? (async () => {
                for await (const event of orchestrator.events(streamed.signal)) received.push(event);
              })()
            : undefined;
        for (const agent of ['a', 'b', 'c'])
          orchestrator.registerAgent(Doubler, { name: agent, mode, reuse, config: { value: 1 } });
        await orchestrator.start();
        await orchestrator.join();
        streamed.abort();
        await streaming;
        const history = orchestrator.history();
        const stats = ['a', 'b', 'c'].map((agent) => {
          const { history: steps, ...rest } = orchestrator.getAgentStats(agent);
          return {
            ...rest,
            runTimes: rest.runTimes.runs,
            // A start names its pid and thread, which differ from run to run.
            steps: steps.map(({ event, detail }) => ({ event, detail: detail?.replace(/\d+/g, 'N') })),
          };
        });
        await orchestrator.shutdown();
        return { history, stats, received, file: file && Orchestrator.readHistory(file) };
      };
      const quiet = await run('none');
      const heard = await run('listener');
      const streamed = await run('stream');
      const filed = await run('file');

      assert.ok(
        quiet.history.some(({ type }) => type === 'agent:queued'),
        'some agent waited for a slot',
      );
      for (const type of ['agent:registered', 'agent:state-changed', 'agent:ready', 'agent:running'] as const)
        assert.ok(
          quiet.history.some((event) => event.type === type),
          `a ${type} event is held`,
        );
      for (const other of [heard, streamed, filed]) {
        assert.deepEqual(comparableEvents(other.history), comparableEvents(quiet.history));
        assert.deepEqual(other.stats, quiet.stats);
      }
      // The listener and the stream got, in order, what the history holds, payload for payload.
      for (const other of [heard, streamed]) {
        assert.deepEqual(
          other.received.map(({ type, payload }) => ({ type, payload })),
          other.history.map(({ type, payload }) => ({ type, payload })),
        );
      }
      // The file holds what the memory history holds, as JSON keeps it (no undefined keys).
      assert.deepEqual(asJson(filed.file), asJson(filed.history));
      assert.deepEqual(
        quiet.stats[1]?.steps.map(({ event }) => event),
        ['registered', 'queued', 'start', 'ready', 'terminated', 'join'],
      );
    });
  }

  it('a listener added while an agent runs gets its small events from then on, in full', async (t) => {
    const orchestrator = createOrchestrator(t);
    const gate = new SharedEvent();
    const entry = orchestrator.registerAgent(Doubler, { name: 'gated', controlEvents: { execute: gate } });
    await orchestrator.start();
    await entry.stateEvents.ready.wait();
    const received: AnyOrchestratorEvent[] = [];
    orchestrator.on('agent:state-changed', (payload) =>
      received.push({ type: 'agent:state-changed', payload }),
    );
    orchestrator.on('agent:running', (payload) => received.push({ type: 'agent:running', payload }));
    gate.set();
    await orchestrator.join();

    assert.deepEqual(
      received.map(({ type, payload }) => [type, 'to' in payload ? payload.to : undefined]),
      [
        ['agent:state-changed', 'running'],
        ['agent:running', undefined],
        ['agent:state-changed', 'completed'],
      ],
    );
    const held = orchestrator
      .history({ type: ['agent:state-changed', 'agent:running'] })
      .slice(-received.length)
      .map(({ type, payload }) => ({ type, payload }));
    assert.deepEqual(received, held);
    assert.deepEqual(Object.keys(received[0]!.payload), ['agent', 'timestamp', 'from', 'to']);
  });

  itLeavesNothingBehind();
});
