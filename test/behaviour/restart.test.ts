import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, HookRecorder } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, MODES } from '../helpers/orchestrator.ts';

for (const mode of MODES) {
  describe(`${mode} agents`, () => {
    it('entry.restart() of a completed agent runs a fresh instance: restarts 1, result again', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(HookRecorder, { mode });

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

    it('orchestrator.restart(name) of a running LoopingAgent stops it, then relaunches it', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Counter, { mode, config: { limit: -1 } });
      const firstRun = nextEventOf(orchestrator, 'agent:running', 'Counter');

      await orchestrator.start();
      await firstRun;
      const firstRuntime = entry.runtime;
      const secondRun = nextEventOf(orchestrator, 'agent:running', 'Counter');
      await orchestrator.restart('Counter');
      await secondRun;

      assert.equal(entry.restarts, 1);
      assert.equal(entry.status, 'running');
      if (mode === 'process') assert.notEqual(entry.runtime?.pid, firstRuntime?.pid, 'a new process');
      if (mode === 'thread') assert.notEqual(entry.runtime?.threadId, firstRuntime?.threadId, 'a new thread');
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

    itLeavesNothingBehind();
  });
}
