import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrchestratorEvent } from '../../src/index.ts';
import { Counter, Doubler, Faulty, Ticker } from '../fixtures/agents.ts';
import { EventLog } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('join() resolves after every agent ended; ALL_AGENTS_TERMINATED once, after the last AGENT_TERMINATED', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 2 });
      const events = new EventLog(orchestrator);
      const entries = [
        orchestrator.registerAgent(Doubler, { mode, reuse }),
        orchestrator.registerAgent(Ticker, { mode, reuse }),
        orchestrator.registerAgent(Counter, { mode, reuse, config: { limit: 3 } }),
        orchestrator.registerAgent(Faulty, { mode, reuse, config: { kind: 'work' } }),
      ];

      await orchestrator.start();
      await orchestrator.join();

      assert.deepEqual(
        entries.map((entry) => entry.status),
        ['completed', 'completed', 'completed', 'failed'],
      );
      const types = events.sequence();
      assert.equal(types.filter((type) => type === OrchestratorEvent.ALL_AGENTS_TERMINATED).length, 1);
      assert.equal(types.at(-1), OrchestratorEvent.ALL_AGENTS_TERMINATED);
      assert.equal(
        types.lastIndexOf(OrchestratorEvent.AGENT_TERMINATED),
        types.length - 2,
        'right after the last AGENT_TERMINATED',
      );
      const [all] = events.of('orchestrator:all-agents-terminated');
      assert.deepEqual(
        { completed: all?.completed, failed: all?.failed, stopped: all?.stopped, killed: all?.killed },
        { completed: 3, failed: 1, stopped: 0, killed: 0 },
      );

      // Nothing runs now: join() resolves at once, and no second ALL_AGENTS_TERMINATED appears.
      await orchestrator.join();
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);
    });

    it('ALL_AGENTS_TERMINATED is emitted once per batch', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'first' });
      await orchestrator.start();
      await orchestrator.join();
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);

      const second = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'second',
        config: { value: 2 },
      });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(second.result, 4);
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 2);
      assert.equal(events.sequence().at(-1), OrchestratorEvent.ALL_AGENTS_TERMINATED);
    });

    it('simpleJoin() resolves after every started agent ended, queued ones included', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const entries = [0, 1, 2, 3].map((value) =>
        orchestrator.registerAgent(Doubler, { mode, reuse, name: `d${value}`, config: { value } }),
      );

      await orchestrator.start();
      await orchestrator.simpleJoin();

      assert.deepEqual(
        entries.map((entry) => [entry.status, entry.result]),
        [
          ['completed', 0],
          ['completed', 2],
          ['completed', 4],
          ['completed', 6],
        ],
      );
    });

    it('entry.join(): at once before a start; after the run when asked while it waits; at once again after', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const first = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'first', config: { value: 1 } });
      const second = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'second',
        config: { value: 2 },
      });
      assert.equal((await second.join()).status, 'registered');

      await orchestrator.start();
      assert.equal(second.status, 'waiting', 'behind first for the one slot');
      const [final, again, firstFinal] = await Promise.all([second.join(), second.join(), first.join()]);
      assert.equal(final.status, 'completed');
      assert.equal(second.result, 4);
      assert.equal(again, final);
      assert.equal(firstFinal.status, 'completed');
      assert.equal(await second.join(), final);
      await orchestrator.join();
    });

    it('a listener that throws (or rejects) breaks nothing: other listeners still run, the run finishes', async (t) => {
      const orchestrator = createOrchestrator(t);
      const seen: string[] = [];
      orchestrator.on('agent:terminated', () => {
        throw new Error('listener failed on purpose');
      });
      orchestrator.on('agent:started', async () => {
        throw new Error('async listener failed on purpose');
      });
      orchestrator.on('*', () => {
        throw new Error('wildcard listener failed on purpose');
      });
      orchestrator.on('agent:terminated', ({ agent }) => seen.push(agent));
      const entries = [1, 2, 3].map((value) =>
        orchestrator.registerAgent(Doubler, { mode, reuse, name: `d${value}`, config: { value } }),
      );
      let allTerminated = 0;
      orchestrator.on('orchestrator:all-agents-terminated', () => allTerminated++);

      await orchestrator.start();
      await orchestrator.join();

      assert.deepEqual(seen.sort(), ['d1', 'd2', 'd3']);
      assert.equal(allTerminated, 1);
      assert.deepEqual(
        entries.map((entry) => entry.result),
        [2, 4, 6],
      );
    });

    itLeavesNothingBehind();
  });
}
