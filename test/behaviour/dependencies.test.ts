import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedEvent } from '../../src/index.ts';
import { Doubler, Stamped, type Stamps, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents with dependencies`, () => {
    it('condition "ready": the dependent sets up only after its dependency finished setting up', async (t) => {
      const orchestrator = createOrchestrator(t);
      // The dependency holds at its setup gate until it has started, so a dependent that only
      // followed it in the start order would set up long before the dependency is ready.
      const setupGate = new SharedEvent();
      const dependency = orchestrator.registerAgent(Stamped, {
        mode,
        reuse,
        name: 'db',
        controlEvents: { setup: setupGate },
      });
      const dependent = orchestrator.registerAgent(Stamped, { mode, reuse, name: 'api', dependsOn: ['db'] });
      const started = nextEventOf(orchestrator, 'agent:started', 'db');

      await orchestrator.start();
      await started;
      assert.deepEqual(dependent.waitingFor, {
        reason: 'dependencies',
        dependencies: [{ agent: 'db', condition: 'ready' }],
      });
      setupGate.set();
      await orchestrator.join();

      const db = dependency.result as Stamps;
      const api = dependent.result as Stamps;
      assert.ok(
        api.constructed >= db.setupEnd,
        `api built at ${api.constructed}, db ready at ${db.setupEnd}`,
      );
    });

    it('condition "completed": the dependent starts only after its dependency returned', async (t) => {
      const orchestrator = createOrchestrator(t);
      const executeGate = new SharedEvent();
      const dependency = orchestrator.registerAgent(Stamped, {
        mode,
        reuse,
        name: 'extract',
        controlEvents: { execute: executeGate },
      });
      const dependent = orchestrator.registerAgent(Stamped, {
        mode,
        reuse,
        name: 'load',
        dependsOn: [{ agent: 'extract', condition: 'completed' }],
      });
      const ready = nextEventOf(orchestrator, 'agent:ready', 'extract');

      await orchestrator.start();
      await ready;
      assert.equal(dependent.status, 'waiting');
      executeGate.set();
      await orchestrator.join();

      const extract = dependency.result as Stamps;
      const load = dependent.result as Stamps;
      assert.ok(
        load.constructed >= extract.executeEnd,
        `load built at ${load.constructed}, extract done at ${extract.executeEnd}`,
      );
    });

    it('condition "started": the dependent runs while its dependency still waits at its setup gate', async (t) => {
      const orchestrator = createOrchestrator(t);
      const setupGate = new SharedEvent();
      const dependency = orchestrator.registerAgent(Stamped, {
        mode,
        reuse,
        name: 'slow',
        controlEvents: { setup: setupGate },
      });
      const dependent = orchestrator.registerAgent(Stamped, {
        mode,
        reuse,
        name: 'eager',
        dependsOn: [{ agent: 'slow', condition: 'started' }],
      });
      const eagerDone = nextEventOf(orchestrator, 'agent:terminated', 'eager');

      await orchestrator.start();
      await eagerDone;
      assert.equal(dependency.status, 'starting', 'the dependency is still held at its setup gate');
      setupGate.set();
      await orchestrator.join();

      const slow = dependency.result as Stamps;
      const eager = dependent.result as Stamps;
      assert.ok(eager.constructed >= slow.constructed);
      assert.ok(eager.executeEnd < slow.setupStart, 'the dependent finished before its dependency set up');
    });

    it('a failed dependency skips its dependents, transitively, with the reason; the batch still ends', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(Stamped, { mode, reuse, name: 'source', config: { fail: true } });
      const middle = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'middle',
        dependsOn: ['source'],
      });
      const last = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'last',
        dependsOn: [{ agent: 'middle', condition: 'completed' }],
      });
      const free = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'free' });

      await orchestrator.start();
      await orchestrator.join();

      assert.deepEqual(middle.state, {
        status: 'skipped',
        since: middle.state.since,
        reason: 'dependency "source" failed before it was ready',
      });
      assert.equal(
        last.state.status === 'skipped' && last.state.reason,
        'dependency "middle" was skipped before it was completed',
      );
      assert.deepEqual(
        events.of('agent:skipped').map(({ agent }) => agent),
        ['middle', 'last'],
      );
      assert.deepEqual(events.of('agent:started', 'middle'), []);
      assert.deepEqual(events.of('agent:started', 'last'), []);
      assert.equal(free.status, 'completed');
      const all = events.of('orchestrator:all-agents-terminated');
      assert.equal(all.length, 1);
      assert.deepEqual(
        { completed: all[0]?.completed, failed: all[0]?.failed, skipped: all[0]?.skipped },
        { completed: 1, failed: 1, skipped: 2 },
      );
    });

    it('a dependency stopped before it was ready skips its dependents', async (t) => {
      const orchestrator = createOrchestrator(t);
      const setupGate = new SharedEvent();
      const dependency = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'service',
        controlEvents: { setup: setupGate },
      });
      const dependent = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'client',
        dependsOn: ['service'],
      });
      const started = nextEventOf(orchestrator, 'agent:started', 'service');

      await orchestrator.start();
      await started;
      await dependency.stop();
      await orchestrator.join();

      assert.equal(
        dependent.state.status === 'skipped' && dependent.state.reason,
        'dependency "service" was stopped before it was ready',
      );
    });

    it('an agent waiting for its dependencies never holds a slot or blocks agents that can run', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 2 });
      const events = new EventLog(orchestrator);
      const executeGate = new SharedEvent();
      orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'blocker',
        controlEvents: { execute: executeGate },
      });
      const waiting = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'after-blocker',
        priority: 10,
        dependsOn: [{ agent: 'blocker', condition: 'completed' }],
      });
      const others = ['free-1', 'free-2', 'free-3'].map((name) =>
        orchestrator.registerAgent(Doubler, { mode, reuse, name }),
      );
      const othersDone = Promise.all(
        others.map((entry) => nextEventOf(orchestrator, 'agent:terminated', entry.name)),
      );

      await orchestrator.start();
      await othersDone;
      assert.equal(waiting.status, 'waiting');
      assert.deepEqual(
        others.map((entry) => entry.status),
        ['completed', 'completed', 'completed'],
      );
      executeGate.set();
      await orchestrator.join();
      assert.equal(waiting.status, 'completed');
      assert.deepEqual(events.of('agent:queued', 'after-blocker'), [], 'it never waited for a slot');
    });

    it('entry.start() also starts the agents it depends on', async (t) => {
      const orchestrator = createOrchestrator(t);
      const base = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'base' });
      const middle = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'middle',
        dependsOn: ['base'],
      });
      const top = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'top', dependsOn: ['middle'] });
      const unrelated = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'unrelated' });

      await top.start();
      await orchestrator.join();
      assert.deepEqual(
        [base.status, middle.status, top.status, unrelated.status],
        ['completed', 'completed', 'completed', 'registered'],
      );
    });

    it('a dependent released when its dependency ends competes for the freed slot by priority', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'first' });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'queued' });
      orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'urgent',
        priority: 5,
        dependsOn: [{ agent: 'first', condition: 'completed' }],
      });

      await orchestrator.start();
      await orchestrator.join();
      assert.deepEqual(
        events.of('agent:started').map(({ agent }) => agent),
        ['first', 'urgent', 'queued'],
      );
    });

    itLeavesNothingBehind();
  });
}
