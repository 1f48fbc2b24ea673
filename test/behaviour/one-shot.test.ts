import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Doubler } from '../fixtures/agents.ts';
import { EventLog } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, MODES } from '../helpers/orchestrator.ts';

for (const mode of MODES) {
  describe(`${mode} agents`, () => {
    it('a one-shot agent returns its result to entry.result and AGENT_TERMINATED', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Doubler, { mode, config: { value: 21 } });

      await orchestrator.start();
      const final = await entry.join();

      assert.equal(final.status, 'completed');
      assert.equal(entry.result, 42);
      const [terminated, ...more] = events.of('agent:terminated', 'Doubler');
      assert.equal(more.length, 0);
      assert.equal(terminated?.reason, 'completed');
      assert.equal(terminated?.result, 42);
      assert.equal(terminated?.error, undefined);
      assert.deepEqual(events.of('agent:error'), []);
      const [started] = events.of('agent:started', 'Doubler');
      assert.equal(started?.mode, mode);
      await orchestrator.join();
    });

    it('runs a .ts agent module without a build step (the class is imported from test/fixtures/agents.ts)', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Doubler, { mode, name: 'from-ts', config: { value: 5 } });
      assert.ok(Doubler.module.endsWith('/test/fixtures/agents.ts'));

      await orchestrator.start();
      await orchestrator.join();

      assert.equal(entry.status, 'completed');
      assert.equal(entry.result, 10);
    });

    itLeavesNothingBehind();
  });
}
