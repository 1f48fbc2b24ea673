import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AgentStatus, SharedEvent } from '../../src/index.ts';
import { isLive, isTerminal } from '../../src/orchestrator/agent-state.ts';
import { Doubler, PackageProbe, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEvent, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

const LIMIT = 4;
const MANY = 200;

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents: run modes, run-time changes, the concurrency limit`, () => {
    it(`${MANY} agents at maxWorkers ${LIMIT}: never more than ${LIMIT} live, and each freed slot is refilled at once`, async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: LIMIT });
      const changes: { agent: string; from: AgentStatus; to: AgentStatus }[] = [];
      let live = 0;
      let peak = 0;
      orchestrator.on('agent:state-changed', ({ agent, from, to }) => {
        changes.push({ agent, from, to });
        if (!isLive(from) && isLive(to)) peak = Math.max(peak, ++live);
        if (isLive(from) && !isLive(to)) live--;
      });
      for (let i = 0; i < MANY; i++) {
        orchestrator.registerAgent(Doubler, { mode, reuse, name: `agent-${i}`, config: { value: i } });
      }
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(peak, LIMIT);
      assert.equal(live, 0);
      assert.ok(orchestrator.agents().every((entry) => entry.status === 'completed'));
      // Event-driven refill: while agents still wait, the state change right after an agent ends
      // is the next agent taking its slot; nothing happens in between, no timer is involved.
      let launched = changes.filter(({ to }) => to === 'starting').length;
      assert.equal(launched, MANY);
      launched = 0;
      for (const [index, change] of changes.entries()) {
        if (change.to === 'starting') launched++;
        if (isLive(change.from) && isTerminal(change.to) && launched < MANY) {
          const next = changes[index + 1];
          assert.deepEqual(
            next && { from: next.from, to: next.to },
            { from: 'waiting', to: 'starting' },
            `after ${change.agent} ended, the next agent started at once`,
          );
        }
      }
    });

    it('lowering maxWorkers at run time holds new starts until the running ones are under it', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 3 });
      const gate = new SharedEvent();
      const entries = Array.from({ length: 6 }, (_, i) =>
        orchestrator.registerAgent(Doubler, { mode, reuse, name: `d${i}`, controlEvents: { execute: gate } }),
      );
      const firstReady = entries
        .slice(0, 3)
        .map((entry) => nextEventOf(orchestrator, 'agent:ready', entry.name));
      await orchestrator.start();
      await Promise.all(firstReady);

      orchestrator.maxWorkers = 1;
      const liveAtStart: number[] = [];
      orchestrator.on('agent:state-changed', ({ to }) => {
        if (to === 'starting') {
          liveAtStart.push(orchestrator.agents().filter((entry) => isLive(entry.status)).length);
        }
      });
      gate.set();
      await orchestrator.join();
      // Each later start found only itself live: one at a time, as the new limit says.
      assert.deepEqual(liveAtStart, [1, 1, 1]);
      assert.ok(entries.every((entry) => entry.status === 'completed'));
    });

    it('batch: agents registered after start() run when started; ALL_AGENTS_TERMINATED once per batch', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const gate = new SharedEvent();
      const first = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'first',
        controlEvents: { execute: gate },
      });
      const firstReady = nextEventOf(orchestrator, 'agent:ready', 'first');
      await orchestrator.start();
      await firstReady;

      // Registered and started while the batch runs: the same batch.
      const late = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'late', config: { value: 5 } });
      await orchestrator.start();
      gate.set();
      await orchestrator.join();
      assert.deepEqual([first.status, late.status, late.result], ['completed', 'completed', 10]);
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);

      // After the batch ended: a new agent, a new batch.
      const after = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'after' });
      await after.start();
      await orchestrator.join();
      assert.equal(after.status, 'completed');
      assert.deepEqual(
        events.of('orchestrator:all-agents-terminated').map(({ completed }) => completed),
        [2, 1],
      );
    });

    it('daemon: stays up when agents end, takes agents at run time, join() resolves after shutdown()', async (t) => {
      const orchestrator = createOrchestrator(t, { runMode: 'daemon' });
      const events = new EventLog(orchestrator);
      await orchestrator.start();
      let joined = false;
      const joining = orchestrator.join().then(() => {
        joined = true;
      });

      const job = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'job', config: { value: 4 } });
      const jobDone = nextEventOf(orchestrator, 'agent:terminated', 'job');
      await job.start();
      await jobDone;
      assert.equal(job.result, 8);
      assert.deepEqual(events.of('orchestrator:all-agents-terminated'), []);

      const service = orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'service' });
      const running = nextEventOf(orchestrator, 'agent:running', 'service');
      await orchestrator.start();
      await running;
      assert.equal(joined, false);

      const all = nextEvent(orchestrator, 'orchestrator:all-agents-terminated');
      await orchestrator.shutdown();
      await joining;
      assert.equal(service.status, 'stopped');
      const summary = await all;
      assert.deepEqual(
        { completed: summary.completed, stopped: summary.stopped },
        { completed: 1, stopped: 1 },
      );
      assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);
    });

    itLeavesNothingBehind();
  });
}

for (const { name, mode, reuse } of PLACEMENTS.filter(({ mode }) => mode !== 'inline')) {
  describe(`${name} agents: the package their module imports`, () => {
    it("`tsorchestrate` and `tsorchestrate/agent` are the host's own copy, whatever node_modules holds", async (t) => {
      const orchestrator = createOrchestrator(t);
      // Node alone would resolve these through the package's self-reference to dist/, a second copy.
      const entry = orchestrator.registerAgent(PackageProbe, { mode, reuse, name: 'probe' });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(entry.status, 'completed', entry.lastError?.message);
      assert.deepEqual(entry.result, {
        root: new URL('../../src/index.ts', import.meta.url).href,
        agent: new URL('../../src/agent.ts', import.meta.url).href,
        sameBaseAgent: true,
      });
    });

    itLeavesNothingBehind();
  });
}
