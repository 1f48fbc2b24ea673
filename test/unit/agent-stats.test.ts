import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnyOrchestratorEvent } from '../../src/events/event-map.ts';
import { StatsRecorder } from '../../src/orchestrator/agent-stats.ts';

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

function recorded(historySize = 1000): StatsRecorder {
  const stats = new StatsRecorder('a', historySize);
  for (const event of steps) stats.observe(event.type, event.payload);
  return stats;
}

describe('StatsRecorder', () => {
  test('lastExit: none before a run ends, then the exit code and signal of the last one', () => {
    const stats = new StatsRecorder('a', 10);
    assert.equal(stats.lastExit, undefined);
    for (const event of steps.slice(0, 8)) stats.observe(event.type, event.payload);
    assert.deepEqual(stats.lastExit, { exitCode: null, signal: 'SIGKILL' });
    for (const event of steps.slice(8)) stats.observe(event.type, event.payload);
    assert.deepEqual(stats.lastExit, { exitCode: 0, signal: null });
  });

  test('each step is written with its time and detail, oldest first', () => {
    assert.deepEqual(recorded().snapshot().history, [
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
    const { counts, runTimes } = recorded().snapshot();
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

  test('historySize keeps the newest steps and counts the dropped ones, however many came', () => {
    const stats = new StatsRecorder('a', 3);
    for (let round = 0; round < 5; round++)
      for (const event of steps) stats.observe(event.type, event.payload);
    const { history, historyDropped } = stats.snapshot();
    assert.deepEqual(
      history.map(({ event, timestamp }) => `${event}@${timestamp}`),
      ['skipped@10', 'terminated@11', 'join@11'],
    );
    assert.equal(historyDropped, 5 * 12 - 3);
  });
});
