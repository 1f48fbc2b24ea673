import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OneShotAgent } from '../../src/agents/one-shot-agent.ts';
import { SharedEvent } from '../../src/events/shared-event.ts';
import { isLive } from '../../src/orchestrator/agent-state.ts';
import { Orchestrator } from '../../src/orchestrator/orchestrator.ts';

/** Returns its own name. */
class Named extends OneShotAgent<Record<string, never>, string> {
  execute(): string {
    return this.name;
  }
}

function makeOrchestrator(maxWorkers: number) {
  const orchestrator = new Orchestrator({ maxWorkers, logLevel: 'silent', handleSignals: false });
  const started: string[] = [];
  let mostLive = 0;
  orchestrator.on('agent:started', (payload) => started.push(payload.agent));
  orchestrator.on('agent:state-changed', () => {
    const live = orchestrator.agents().filter((entry) => isLive(entry.status)).length;
    mostLive = Math.max(mostLive, live);
  });
  return { orchestrator, started, mostLive: () => mostLive };
}

describe('Orchestrator scheduling', () => {
  test('waiting agents start by priority, then registration order, never more than maxWorkers at once', async () => {
    const { orchestrator, started, mostLive } = makeOrchestrator(1);
    const queued: [string, number][] = [];
    orchestrator.on('agent:queued', (payload) => queued.push([payload.agent, payload.position]));
    const specs: [string, number][] = [
      ['first', 0],
      ['low', -1],
      ['mid1', 0],
      ['high', 5],
      ['mid2', 0],
    ];
    for (const [name, priority] of specs) orchestrator.registerAgent(Named, { name, priority });
    await orchestrator.start();
    await orchestrator.join();
    assert.deepEqual(started, ['first', 'high', 'mid1', 'mid2', 'low']);
    assert.equal(mostLive(), 1);
    assert.deepEqual(
      queued.map(([name]) => name),
      ['low', 'mid1', 'high', 'mid2'],
    );
    assert.ok(orchestrator.agents().every((entry) => entry.status === 'completed'));
  });

  test('with maxWorkers 2, at most two agents are live at any moment', async () => {
    const { orchestrator, started, mostLive } = makeOrchestrator(2);
    for (let i = 0; i < 8; i++) orchestrator.registerAgent(Named, { name: `n${i}` });
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(started.length, 8);
    assert.equal(mostLive(), 2);
  });

  test('raising maxWorkers at run time starts waiting agents at once', async () => {
    const { orchestrator, mostLive } = makeOrchestrator(1);
    const gate = new SharedEvent(false);
    const entries = ['a', 'b', 'c', 'd'].map((name) =>
      orchestrator.registerAgent(Named, { name, controlEvents: { execute: gate } }),
    );
    await orchestrator.start();
    assert.deepEqual(
      entries.map((entry) => entry.status === 'waiting'),
      [false, true, true, true],
    );
    orchestrator.maxWorkers = 3;
    assert.deepEqual(
      entries.map((entry) => entry.status === 'waiting'),
      [false, false, false, true],
    );
    orchestrator.maxWorkers = Number.POSITIVE_INFINITY;
    assert.ok(entries.every((entry) => entry.status !== 'waiting'));
    gate.set();
    await orchestrator.join();
    assert.ok(entries.every((entry) => entry.status === 'completed'));
    assert.equal(mostLive(), 4);
  });

  test('stop() takes waiting agents out of the queue; they end stopped without starting', async () => {
    const { orchestrator, started } = makeOrchestrator(1);
    const gate = new SharedEvent(false);
    const running = orchestrator.registerAgent(Named, { name: 'running', controlEvents: { execute: gate } });
    const waiting = orchestrator.registerAgent(Named, { name: 'waiting' });
    await orchestrator.start();
    assert.equal(waiting.status, 'waiting');
    await orchestrator.stop('waiting');
    assert.equal(waiting.status, 'stopped');
    gate.set();
    await orchestrator.join();
    assert.equal(running.status, 'completed');
    assert.deepEqual(started, ['running']);
  });
});
