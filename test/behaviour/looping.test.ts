import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AgentClass } from '../../src/index.ts';
import { Counter, ReadsSignalLate, Ticker, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, LogCapture, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('a LoopingAgent with a limit runs that many cycles; the count is its result', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Counter, { mode, reuse, config: { limit: 5 } });

      await orchestrator.start();
      await entry.join();

      assert.equal(entry.status, 'completed');
      assert.equal(entry.result, 5);
    });

    it('a LoopingAgent with limit -1 runs until stopped, then ends with reason "stopped"', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Counter, { mode, reuse, config: { limit: -1 } });
      const running = nextEventOf(orchestrator, 'agent:running', 'Counter');

      await orchestrator.start();
      await running;
      await entry.stop();

      assert.deepEqual(entry.state, { status: 'stopped', since: entry.state.since, reason: 'stopped' });
      assert.equal(entry.result, undefined);
      const [terminated] = events.of('agent:terminated', 'Counter');
      assert.equal(terminated?.reason, 'stopped');
      assert.deepEqual(
        events.of('agent:stopping', 'Counter').map(({ forced }) => forced),
        [false],
        'a graceful stop is never forced',
      );
      await orchestrator.join();
    });

    it('a PeriodicAgent with limit 3 runs its runner 3 times; the count is its result', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Ticker, { mode, reuse, config: { limit: 3, interval: 1 } });

      await orchestrator.start();
      await entry.join();

      assert.equal(entry.status, 'completed');
      assert.equal(entry.result, 3);
    });

    it('a PeriodicAgent with limit -1 ends its wait between runs at once on a stop', async (t) => {
      const orchestrator = createOrchestrator(t);
      // One run, then a 10-minute wait: only the abort signal can end it before the test times out.
      const entry = orchestrator.registerAgent(Ticker, {
        mode,
        reuse,
        config: { limit: -1, interval: 600_000 },
      });
      const running = nextEventOf(orchestrator, 'agent:running', 'Ticker');

      await orchestrator.start();
      await running;
      await entry.stop();

      assert.equal(entry.status, 'stopped');
      assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'stopped');
    });

    /** Runs `Agent`, stops it once it runs, and returns its entry and what it logged. */
    async function stoppedWhileRunning(t: TestContext, Agent: AgentClass) {
      const logs = new LogCapture();
      const orchestrator = createOrchestrator(t, { logDestination: logs });
      const entry = orchestrator.registerAgent(Agent, { mode, reuse, logLevel: 'info' });
      const running = nextEventOf(orchestrator, 'agent:running', Agent.name);

      await orchestrator.start();
      await running;
      assert.equal(entry.status, 'running');
      await entry.stop();
      return { entry, logs };
    }

    it("the agent's AbortSignal aborts on stop, so a long await ends (WaitsForStop)", async (t) => {
      const { entry, logs } = await stoppedWhileRunning(t, WaitsForStop);

      // Stopped, not forced (the stop timeout is a minute): the signal ended the await.
      assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'stopped');
      const [aborted] = logs.lines.filter((line) => line.step === 'aborted');
      assert.match(String(aborted?.reason), /Agent "WaitsForStop" was asked to stop/);
    });

    it('a signal first read after the stop comes aborted, with the reason (ReadsSignalLate)', async (t) => {
      const { entry, logs } = await stoppedWhileRunning(t, ReadsSignalLate);

      assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'stopped');
      const [late] = logs.lines.filter((line) => line.step === 'late-signal');
      assert.equal(late?.aborted, true);
      assert.match(String(late?.reason), /Agent "ReadsSignalLate" was asked to stop/);
    });

    itLeavesNothingBehind();
  });
}
