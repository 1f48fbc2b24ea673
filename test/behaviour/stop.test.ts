import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, IgnoresStop, Spins, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('entry.stop() is graceful: resolves once the agent ended, status "stopped", reason "stopped"', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(WaitsForStop, { mode, reuse });
      const running = nextEventOf(orchestrator, 'agent:running', 'WaitsForStop');

      await orchestrator.start();
      await running;
      await entry.stop();

      assert.equal(entry.status, 'stopped');
      assert.equal(entry.stateEvents.closed.isSet(), true);
      const [terminated] = events.of('agent:terminated', 'WaitsForStop');
      assert.equal(terminated?.reason, 'stopped');
      assert.deepEqual(events.of('agent:error'), []);
      await orchestrator.join();
    });

    it('orchestrator.stop() stops every running agent gracefully and join() resolves', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const waiter = orchestrator.registerAgent(WaitsForStop, { mode, reuse });
      const counter = orchestrator.registerAgent(Counter, { mode, reuse });
      const running = [
        nextEventOf(orchestrator, 'agent:running', 'WaitsForStop'),
        nextEventOf(orchestrator, 'agent:running', 'Counter'),
      ];

      await orchestrator.start();
      await Promise.all(running);
      await orchestrator.stop();
      await orchestrator.join();

      assert.deepEqual([waiter.status, counter.status], ['stopped', 'stopped']);
      assert.deepEqual(
        events.of('agent:terminated').map(({ reason }) => reason),
        ['stopped', 'stopped'],
      );
      const [all] = events.of('orchestrator:all-agents-terminated');
      assert.equal(all?.stopped, 2);
    });

    it(`an agent that ignores stop is forced after stopTimeout (${mode === 'inline' ? 'abandoned' : mode === 'thread' ? 'terminated' : 'SIGTERM'}): status "stopped", reason "killed"`, async (t) => {
      const orchestrator = createOrchestrator(t, { stopTimeout: 200, killTimeout: 200 });
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(IgnoresStop, { mode, reuse });
      const running = nextEventOf(orchestrator, 'agent:running', 'IgnoresStop');

      await orchestrator.start();
      await running;
      await entry.stop();

      assert.equal(entry.status, 'stopped');
      assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'killed');
      const [terminated] = events.of('agent:terminated', 'IgnoresStop');
      assert.equal(terminated?.reason, 'killed');
      if (mode === 'process') assert.equal(terminated?.signal, 'SIGTERM');
      assert.deepEqual(
        events.of('agent:stopping', 'IgnoresStop').map(({ forced }) => forced),
        [false, true],
        'first the graceful request, then the forced stop',
      );
      await orchestrator.join();
    });

    if (mode === 'process') {
      it('a process agent that also ignores SIGTERM is SIGKILLed after killTimeout', async (t) => {
        const orchestrator = createOrchestrator(t, { stopTimeout: 200, killTimeout: 200 });
        const events = new EventLog(orchestrator);
        const entry = orchestrator.registerAgent(IgnoresStop, {
          mode,
          reuse,
          config: { ignoreSigterm: true },
        });
        const running = nextEventOf(orchestrator, 'agent:running', 'IgnoresStop');

        await orchestrator.start();
        await running;
        await entry.stop();

        assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'killed');
        const [terminated] = events.of('agent:terminated', 'IgnoresStop');
        assert.equal(terminated?.reason, 'killed');
        assert.equal(terminated?.signal, 'SIGKILL');
        await orchestrator.join();
      });
    }

    if (mode !== 'inline') {
      it('an agent stuck in a synchronous loop is forced after stopTimeout: status "stopped", reason "killed"', async (t) => {
        const orchestrator = createOrchestrator(t, { stopTimeout: 200, killTimeout: 200 });
        const events = new EventLog(orchestrator);
        const entry = orchestrator.registerAgent(Spins, { mode, reuse });
        const running = nextEventOf(orchestrator, 'agent:running', 'Spins');

        await orchestrator.start();
        await running;
        await entry.stop();

        assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'killed');
        const [terminated] = events.of('agent:terminated', 'Spins');
        assert.equal(terminated?.reason, 'killed');
        await orchestrator.join();
      });
    }

    itLeavesNothingBehind();
  });
}
