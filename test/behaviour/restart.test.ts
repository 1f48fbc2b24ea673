import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AgentEntry, Orchestrator } from '../../src/index.ts';
import { Counter, Doubler, HookRecorder } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('entry.restart() of a completed agent runs a fresh instance: restarts 1, result again', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(HookRecorder, { mode, reuse });

      await orchestrator.start();
      await orchestrator.join();
      assert.deepEqual(entry.result, ['setup:true', 'execute:true']);
      assert.equal(entry.restarts, 0);

      await entry.restart();
      assert.equal(entry.restarts, 1);
      const final = await entry.join();
      await orchestrator.join();

      assert.equal(final.status, 'completed');
      // A fresh instance: its hook list starts empty again (an old one would have four entries).
      assert.deepEqual(entry.result, ['setup:true', 'execute:true']);
      assert.deepEqual(
        events.of('agent:restarted', 'HookRecorder').map(({ restarts }) => restarts),
        [1],
      );
      assert.deepEqual(
        events.of('agent:terminated', 'HookRecorder').map(({ reason }) => reason),
        ['completed', 'completed'],
      );
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 2, 'one per batch');
    });

    it("the entry's state events say how far the run got: set after it, cleared as a restart begins", async (t) => {
      const orchestrator = createOrchestrator(t);
      // An agent that never looks at its events: between runs, they may be kept as values alone.
      const entry = orchestrator.registerAgent(Doubler, { mode, reuse, config: { value: 1 } });
      const states = () => {
        const { started, ready, closed } = entry.stateEvents;
        return [started.isSet(), ready.isSet(), closed.isSet()];
      };
      const seen: boolean[][] = [];
      orchestrator.on('agent:restarted', () => seen.push(states()));
      await orchestrator.start();
      await orchestrator.join();
      // Not read until the restart.
      await entry.restart();
      await entry.join();
      seen.push(states());
      await entry.restart();
      await entry.join();
      seen.push(states());
      assert.deepEqual(seen, [
        [false, false, false],
        [true, true, true],
        [false, false, false],
        [true, true, true],
      ]);
      assert.equal(entry.controlEvents.setup.isSet(), true, 'the gates stay open');
    });

    it('orchestrator.restart(name) of a running LoopingAgent stops it, then relaunches it', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Counter, { mode, reuse, config: { limit: -1 } });
      const firstRun = nextEventOf(orchestrator, 'agent:running', 'Counter');

      await orchestrator.start();
      await firstRun;
      const firstRuntime = entry.runtime;
      const secondRun = nextEventOf(orchestrator, 'agent:running', 'Counter');
      await orchestrator.restart('Counter');
      await secondRun;

      assert.equal(entry.restarts, 1);
      assert.equal(entry.status, 'running');
      // A fresh instance each run: in a new thread or process, or with `reuse` in the same warm one
      // (a graceful stop keeps a pooled thread or process).
      if (mode !== 'inline') {
        const where = (runtime: typeof firstRuntime) =>
          mode === 'process' ? runtime?.pid : runtime?.threadId;
        if (reuse) assert.equal(where(entry.runtime), where(firstRuntime), `the same warm ${mode}`);
        else assert.notEqual(where(entry.runtime), where(firstRuntime), `a new ${mode}`);
      }
      assert.deepEqual(
        events
          .sequence('Counter')
          .filter((type) => ['agent:started', 'agent:terminated', 'agent:restarted'].includes(type)),
        ['agent:started', 'agent:terminated', 'agent:restarted', 'agent:started'],
      );
      const [stopped] = events.of('agent:terminated', 'Counter');
      assert.equal(stopped?.reason, 'stopped');

      await entry.stop();
      await orchestrator.join();
      assert.equal(entry.status, 'stopped');
    });

    /** An orchestrator running one Counter (a loop until stopped), past its first `running`. */
    const runningCounter = async (t: TestContext) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Counter, { mode, reuse, config: { limit: -1 } });
      const firstRun = nextEventOf(orchestrator, 'agent:running', 'Counter');
      await orchestrator.start();
      await firstRun;
      return { orchestrator, entry };
    };

    it('restart() asked for while one is under way is that one: one stop, one relaunch', async (t) => {
      const { orchestrator, entry } = await runningCounter(t);
      const events = new EventLog(orchestrator);
      const secondRun = nextEventOf(orchestrator, 'agent:running', 'Counter');
      // Two at once (two callers, a double click): the second used to fail with ERR_AGENT_STATE.
      await Promise.all([entry.restart(), orchestrator.restart('Counter')]);
      await secondRun;
      assert.equal(entry.restarts, 1);
      assert.equal(entry.status, 'running');
      assert.equal(events.of('agent:restarted', 'Counter').length, 1);
      await entry.stop();
      await orchestrator.join();
    });

    const stops = [
      { by: 'a stop', stop: (_orchestrator: Orchestrator, entry: AgentEntry) => entry.stop() },
      // It used to relaunch after the shutdown: an agent running once everything was released.
      { by: 'shutdown()', stop: (orchestrator: Orchestrator) => orchestrator.shutdown() },
    ];
    for (const { by, stop } of stops) {
      // Were it relaunched, the Counter would run until stopped: the timeout makes that a failure, not a hang.
      it(`${by} asked for while a restart stops the run wins: the agent is not relaunched`, {
        timeout: 30_000,
      }, async (t) => {
        const { orchestrator, entry } = await runningCounter(t);
        const restarted = entry.restart();
        await stop(orchestrator, entry);
        await restarted;
        await orchestrator.join();
        assert.equal(entry.status, 'stopped');
        assert.equal(entry.runtime, undefined);
        assert.equal(entry.restarts, 0);
      });
    }

    itLeavesNothingBehind();
  });
}
