import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedEvent } from '../../src/index.ts';
import { Doubler, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

const MAX_WORKERS = 3;

for (const { name, mode, reuse } of PLACEMENTS) {
  const count = mode === 'inline' ? 200 : 30;

  describe(`${name} agents`, () => {
    it(`runs ${count} agents at maxWorkers ${MAX_WORKERS}: never more than ${MAX_WORKERS} live, all complete`, async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: MAX_WORKERS });
      const events = new EventLog(orchestrator);
      let live = 0;
      let peak = 0;
      orchestrator.on('agent:started', () => {
        live++;
        peak = Math.max(peak, live);
      });
      orchestrator.on('agent:terminated', () => {
        live--;
      });
      // A shared execute gate, closed at first: the first agents get ready and hold their slots.
      const gate = new SharedEvent();
      const entries = Array.from({ length: count }, (_, i) =>
        orchestrator.registerAgent(Doubler, {
          mode,
          reuse,
          name: `doubler-${i}`,
          config: { value: i },
          controlEvents: { execute: gate },
        }),
      );

      const firstReady = entries
        .slice(0, MAX_WORKERS)
        .map((entry) => nextEventOf(orchestrator, 'agent:ready', entry.name));

      await orchestrator.start();
      await Promise.all(firstReady);
      assert.equal(live, MAX_WORKERS);
      assert.deepEqual(
        entries.map((entry) => entry.status),
        [...Array(MAX_WORKERS).fill('ready'), ...Array(count - MAX_WORKERS).fill('waiting')],
      );
      gate.set();
      await orchestrator.join();

      assert.ok(peak <= MAX_WORKERS, `at most ${MAX_WORKERS} live at once, saw ${peak}`);
      assert.equal(live, 0);
      assert.deepEqual(
        entries.map((entry) => entry.status),
        Array(count).fill('completed'),
      );
      assert.deepEqual(
        entries.map((entry) => entry.result),
        entries.map((_, i) => i * 2),
      );
      // The first MAX_WORKERS launched at once; every other one waited for a slot, in order.
      assert.deepEqual(
        events.of('agent:queued').map(({ agent }) => agent),
        entries.slice(MAX_WORKERS).map((entry) => entry.name),
      );
      assert.equal(events.of('agent:terminated').length, count);
      const [all] = events.of('orchestrator:all-agents-terminated');
      assert.equal(all?.completed, count);
    });

    it('starts queued agents by priority (higher first), then registration order', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'first' });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'low' });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'high', priority: 10 });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'also-low' });

      await orchestrator.start();
      await orchestrator.join();

      assert.deepEqual(
        events.of('agent:started').map(({ agent }) => agent),
        ['first', 'high', 'low', 'also-low'],
      );
    });

    it('stopping an agent that waits for a slot takes it out of the queue: it never starts', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      const holder = orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'holder' });
      const waiting = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'waiting' });
      const running = nextEventOf(orchestrator, 'agent:running', 'holder');

      await orchestrator.start();
      await running;
      assert.equal(waiting.status, 'waiting');
      await waiting.stop();

      assert.equal(waiting.state.status === 'stopped' && waiting.state.reason, 'stopped');
      assert.deepEqual(events.of('agent:started', 'waiting'), []);
      assert.deepEqual(
        events.of('agent:terminated', 'waiting').map(({ reason }) => reason),
        ['stopped'],
      );
      assert.equal(holder.status, 'running');
      await orchestrator.stop();
      await orchestrator.join();
      assert.equal(holder.status, 'stopped');
      assert.deepEqual(events.of('agent:started', 'waiting'), []);
    });

    itLeavesNothingBehind();
  });
}
