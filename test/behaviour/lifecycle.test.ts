import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentClass } from '../../src/index.ts';
import { HookRecorder, ThenableWork, Traced } from '../fixtures/agents.ts';
import { EventLog } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, LogCapture, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('runs setup after started and execute after ready, then sets started, ready and closed', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(HookRecorder, { mode, reuse });
      const { started, ready, closed } = entry.stateEvents;
      assert.deepEqual([started.isSet(), ready.isSet(), closed.isSet()], [false, false, false]);

      await orchestrator.start();
      await entry.join();

      // Inside the agent: setup saw `started` set, execute saw `ready` set.
      assert.deepEqual(entry.result, ['setup:true', 'execute:true']);
      assert.deepEqual([started.isSet(), ready.isSet(), closed.isSet()], [true, true, true]);
      assert.deepEqual(
        events
          .sequence('HookRecorder')
          .filter((type) => type !== 'agent:state-changed' && type !== 'agent:registered'),
        ['agent:started', 'agent:ready', 'agent:running', 'agent:terminated'],
      );
      assert.deepEqual(
        events.of('agent:state-changed', 'HookRecorder').map(({ from, to }) => `${from}>${to}`),
        ['registered>waiting', 'waiting>starting', 'starting>ready', 'ready>running', 'running>completed'],
      );
    });

    const completes: { what: string; Agent: AgentClass; result: unknown }[] = [
      {
        what: 'runs the hooks in order: setup, execute, onClose',
        Agent: Traced,
        result: ['setup', 'execute', 'onClose'],
      },
      {
        what: 'waits for work that returns a thenable of another promise library, and takes its value',
        Agent: ThenableWork,
        result: 'settled later',
      },
    ];
    for (const { what, Agent, result } of completes) {
      it(what, async (t) => {
        const orchestrator = createOrchestrator(t);
        const entry = orchestrator.registerAgent(Agent, { mode, reuse });

        await orchestrator.start();
        await entry.join();

        assert.equal(entry.status, 'completed');
        assert.deepEqual(entry.result, result);
      });
    }

    for (const failIn of ['setup', 'work'] as const) {
      it(`runs onClose and sets closed after a failure in ${failIn}`, async (t) => {
        const logs = new LogCapture();
        const orchestrator = createOrchestrator(t, { logDestination: logs });
        const entry = orchestrator.registerAgent(Traced, {
          mode,
          reuse,
          config: { failIn },
          logLevel: 'info',
        });

        await orchestrator.start();
        await entry.join();

        assert.equal(entry.status, 'failed');
        const expected = failIn === 'setup' ? ['setup', 'onClose'] : ['setup', 'execute', 'onClose'];
        assert.deepEqual(logs.steps('Traced'), expected);
        assert.equal(entry.stateEvents.closed.isSet(), true);
        assert.equal(entry.stateEvents.ready.isSet(), failIn === 'work');
      });
    }

    itLeavesNothingBehind();
  });
}
