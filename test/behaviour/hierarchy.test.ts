import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pipeline } from '../fixtures/nested.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} orchestrator agents (a nested orchestrator whose agents run in ${mode} mode too)`, () => {
    it('its agents appear in the parent events and status under parent/child paths; its batch is its result', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const pipeline = orchestrator.registerAgent(Pipeline, {
        mode,
        reuse,
        name: 'pipeline',
        config: { childMode: mode },
      });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(pipeline.status, 'completed');
      assert.deepEqual(pipeline.result, {
        orchestrator: 'pipeline',
        completed: 1,
        stopped: 0,
        failed: 0,
        killed: 0,
        skipped: 0,
      });
      const [nestedEnd] = events.of('agent:terminated', 'pipeline/double');
      assert.deepEqual([nestedEnd?.reason, nestedEnd?.result], ['completed', 42]);
      const [started] = events.of('agent:started', 'pipeline/double');
      assert.equal(started?.mode, mode);
      const rows = orchestrator.status().map(({ name, state }) => [name, state]);
      assert.deepEqual(rows, [
        ['pipeline', 'completed'],
        ['pipeline/double', 'completed'],
      ]);
      assert.equal(orchestrator.status('pipeline/double').mode, mode);
      assert.equal(
        events.of('orchestrator:all-agents-terminated').length,
        1,
        "only the parent's own batch end",
      );
      assert.ok(orchestrator.history({ agent: 'pipeline/double' }).length > 0);
    });

    it('a stop cascades: stopping the orchestrator agent stops every nested agent', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const pipeline = orchestrator.registerAgent(Pipeline, {
        mode,
        reuse,
        name: 'pipeline',
        config: { childMode: mode, service: true },
      });
      const serviceRunning = nextEventOf(orchestrator, 'agent:running', 'pipeline/service');
      await orchestrator.start();
      await serviceRunning;
      assert.equal(orchestrator.status('pipeline/service').state, 'running');
      await pipeline.stop();

      assert.equal(pipeline.status, 'stopped');
      const [serviceEnd] = events.of('agent:terminated', 'pipeline/service');
      assert.equal(serviceEnd?.reason, 'stopped');
      assert.equal(orchestrator.status('pipeline/service').state, 'stopped');
      const ends = events.of('agent:terminated').map(({ agent }) => agent);
      assert.ok(
        ends.indexOf('pipeline/service') < ends.indexOf('pipeline'),
        'children end before their parent',
      );
    });

    it('escalation: a nested agent that reaches its restart limit fails the orchestrator agent, and the parent policy restarts it', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const pipeline = orchestrator.registerAgent(Pipeline, {
        mode,
        reuse,
        name: 'pipeline',
        config: { childMode: mode, failing: true },
        restart: { when: 'on-failure', maxRestarts: 1, backoffMs: 0 },
      });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(pipeline.status, 'failed');
      assert.equal(pipeline.restarts, 1);
      assert.equal(pipeline.lastError?.code, 'ERR_ESCALATED');
      assert.match(
        pipeline.lastError?.message ?? '',
        /"flaky" of orchestrator "pipeline" reached its restart limit/,
      );
      assert.equal(
        events.of('agent:restart-limit', 'pipeline/flaky').length,
        2,
        'once per run of the pipeline',
      );
      assert.equal(events.of('agent:restart-limit', 'pipeline').length, 1);
    });

    itLeavesNothingBehind();
  });
}
