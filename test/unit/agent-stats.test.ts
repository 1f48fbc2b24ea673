import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnyOrchestratorEvent } from '../../src/events/event-map.ts';
import { AgentStatsTable } from '../../src/orchestrator/agent-stats.ts';

const error = { name: 'Error', message: 'boom', code: undefined, stack: undefined };

/** One run of each kind of step, at t = 1, 2, 3... */
const steps: AnyOrchestratorEvent[] = [
  { type: 'agent:registered', payload: { agent: 'a', timestamp: 1, mode: 'thread' } },
  { type: 'agent:queued', payload: { agent: 'a', timestamp: 2, position: 3 } },
  { type: 'agent:state-changed', payload: { agent: 'a', timestamp: 3, from: 'waiting', to: 'starting' } },
  { type: 'agent:started', payload: { agent: 'a', timestamp: 4, mode: 'thread', pid: 10, threadId: 2 } },
  { type: 'agent:ready', payload: { agent: 'a', timestamp: 5 } },
  { type: 'agent:error', payload: { agent: 'a', timestamp: 6, phase: 'work', error } },
  { type: 'agent:stopping', payload: { agent: 'a', timestamp: 7, forced: true } },
  {
    type: 'agent:terminated',
    payload: {
      agent: 'a',
      timestamp: 8,
      reason: 'killed',
      exitCode: null,
      signal: 'SIGKILL',
      result: undefined,
      error,
      durationMs: 5,
    },
  },
  {
    type: 'agent:restarted',
    payload: { agent: 'a', timestamp: 9, restarts: 2, automatic: true, delayMs: 0 },
  },
  { type: 'agent:skipped', payload: { agent: 'a', timestamp: 10, reason: 'dependency b failed' } },
  {
    type: 'agent:terminated',
    payload: {
      agent: 'a',
      timestamp: 11,
      reason: 'completed',
      exitCode: 0,
      signal: null,
      result: { big: 'x'.repeat(100) },
      error: undefined,
      durationMs: 7,
    },
  },
] as AnyOrchestratorEvent[];

/** A table with one agent ('a', index 0) that went through `steps`. */
function recorded(historySize = 1000): AgentStatsTable {
  const table = new AgentStatsTable(historySize);
  const agent = table.add();
  for (const event of steps) table.observe(agent, event.type, event.payload);
  return table;
}

const terminated = (timestamp: number, durationMs: number): AnyOrchestratorEvent =>
  ({
    type: 'agent:terminated',
    payload: {
      agent: 'x',
      timestamp,
      reason: 'completed',
      exitCode: 0,
      signal: null,
      result: undefined,
      error: undefined,
      durationMs,
    },
  }) as AnyOrchestratorEvent;

describe('AgentStatsTable', () => {
  test('lastExit and startedAt: none before a run, then those of the last one', () => {
    const table = new AgentStatsTable(10);
    const agent = table.add();
    assert.equal(table.lastExit(agent), undefined);
    assert.equal(table.startedAt(agent), undefined);
    for (const event of steps.slice(0, 8)) table.observe(agent, event.type, event.payload);
    assert.deepEqual(table.lastExit(agent), { exitCode: null, signal: 'SIGKILL' });
    assert.equal(table.startedAt(agent), 4);
    for (const event of steps.slice(8)) table.observe(agent, event.type, event.payload);
    assert.deepEqual(table.lastExit(agent), { exitCode: 0, signal: null });
  });

  test('each step is written with its time and detail, oldest first', () => {
    assert.deepEqual(recorded().snapshot(0, 'a').history, [
      { event: 'registered', timestamp: 1, detail: 'thread' },
      { event: 'queued', timestamp: 2, detail: 'position 3' },
      { event: 'start', timestamp: 4, detail: 'thread, pid 10, thread 2' },
      { event: 'ready', timestamp: 5 },
      { event: 'error', timestamp: 6, detail: 'work: Error: boom' },
      { event: 'stop', timestamp: 7, detail: 'forced' },
      { event: 'terminated', timestamp: 8, detail: 'killed, signal SIGKILL' },
      { event: 'join', timestamp: 8 },
      { event: 'restart', timestamp: 9, detail: 'restart 2' },
      { event: 'skipped', timestamp: 10, detail: 'dependency b failed' },
      { event: 'terminated', timestamp: 11, detail: 'completed, exit code 0' },
      { event: 'join', timestamp: 11 },
    ]);
  });

  test('counts and run times come from the same events', () => {
    const { name, counts, runTimes } = recorded().snapshot(0, 'a');
    assert.equal(name, 'a');
    assert.deepEqual(counts, {
      starts: 1,
      restarts: 1,
      completed: 1,
      stopped: 0,
      failed: 0,
      killed: 1,
      skipped: 1,
      errors: 1,
    });
    // Only the first end followed a launch (state-changed to starting).
    assert.deepEqual(runTimes, { runs: 1, lastMs: 5, minMs: 5, maxMs: 5, meanMs: 5, totalMs: 5 });
  });

  test('run times over several runs: last, shortest, longest, mean and total', () => {
    const table = new AgentStatsTable(10);
    const agent = table.add();
    const launch = {
      type: 'agent:state-changed',
      payload: { agent: 'x', timestamp: 0, from: 'waiting', to: 'starting' },
    } as AnyOrchestratorEvent;
    assert.deepEqual(table.snapshot(agent, 'x').runTimes, {
      runs: 0,
      lastMs: null,
      minMs: null,
      maxMs: null,
      meanMs: null,
      totalMs: 0,
    });
    for (const durationMs of [4, 1.5, 9, 2]) {
      table.observe(agent, launch.type, launch.payload);
      const end = terminated(1, durationMs);
      table.observe(agent, end.type, end.payload);
    }
    assert.deepEqual(table.snapshot(agent, 'x').runTimes, {
      runs: 4,
      lastMs: 2,
      minMs: 1.5,
      maxMs: 9,
      meanMs: 16.5 / 4,
      totalMs: 16.5,
    });
  });

  test('agents keep their own counts, times and steps, however their events interleave', () => {
    const table = new AgentStatsTable(1000);
    const agents = Array.from({ length: 100 }, () => table.add());
    assert.deepEqual(
      agents,
      Array.from({ length: 100 }, (_, index) => index),
    );
    for (const event of steps) {
      for (const agent of agents) {
        if (agent % 3 === 0 && event.type === 'agent:skipped') continue;
        table.observe(agent, event.type, {
          ...event.payload,
          timestamp: event.payload.timestamp * 1000 + agent,
        });
      }
    }
    for (const agent of agents) {
      const { counts, history } = table.snapshot(agent, `a${agent}`);
      assert.equal(counts.skipped, agent % 3 === 0 ? 0 : 1);
      assert.equal(history.length, agent % 3 === 0 ? 11 : 12);
      assert.ok(history.every(({ timestamp }) => timestamp % 1000 === agent));
    }
  });

  test('historySize keeps the newest steps and counts the dropped ones, however many came', () => {
    const table = new AgentStatsTable(3);
    const agent = table.add();
    for (let round = 0; round < 5; round++)
      for (const event of steps) table.observe(agent, event.type, event.payload);
    const { history, historyDropped } = table.snapshot(agent, 'a');
    assert.deepEqual(
      history.map(({ event, timestamp }) => `${event}@${timestamp}`),
      ['skipped@10', 'terminated@11', 'join@11'],
    );
    assert.equal(historyDropped, 5 * 12 - 3);
  });
});
