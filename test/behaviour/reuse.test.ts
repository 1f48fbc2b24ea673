import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedEvent } from '../../src/index.ts';
import { Doubler, Faulty, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator } from '../helpers/orchestrator.ts';

for (const mode of ['thread', 'process'] as const) {
  /** Which thread or process ran each agent: the `agent:started` runtime ids. */
  const runtimesOf = (events: EventLog) =>
    events.of('agent:started').map(({ pid, threadId }) => (mode === 'thread' ? `t${threadId}` : `p${pid}`));

  describe(`${mode} agents with warm reuse`, () => {
    it('short agents run one after another on the same warm threads or processes, with the full lifecycle each', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 2 });
      const events = new EventLog(orchestrator);
      const entries = Array.from({ length: 20 }, (_, i) =>
        orchestrator.registerAgent(Doubler, { mode, name: `d${i}`, config: { value: i }, reuse: true }),
      );
      await orchestrator.start();
      await orchestrator.join();

      assert.deepEqual(
        entries.map((entry) => entry.result),
        entries.map((_, i) => i * 2),
      );
      const runtimes = new Set(runtimesOf(events));
      assert.ok(runtimes.size <= 2, `20 runs on ${runtimes.size} ${mode}s`);
      for (const entry of entries) {
        assert.deepEqual(
          events
            .sequence(entry.name)
            .filter((type) => type !== 'agent:state-changed' && type !== 'agent:queued'),
          ['agent:registered', 'agent:started', 'agent:ready', 'agent:running', 'agent:terminated'],
        );
      }
    });

    it('a thread or process is retired after maxRuns', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      for (let i = 0; i < 9; i++) {
        orchestrator.registerAgent(Doubler, { mode, name: `d${i}`, reuse: { maxRuns: 3 } });
      }
      await orchestrator.start();
      await orchestrator.join();
      const runtimes = runtimesOf(events);
      assert.equal(new Set(runtimes).size, 3);
      assert.deepEqual(
        [0, 3, 6].map((start) => new Set(runtimes.slice(start, start + 3)).size),
        [1, 1, 1],
      );
    });

    it('a thread or process is retired once its memory passes maxMemoryMb (its heap, its RSS)', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      // Far under the mark: one warm runtime for all three. Over it after any run: a fresh one each.
      for (const [group, maxMemoryMb] of [
        ['roomy', 1e6],
        ['tight', 0.001],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          orchestrator.registerAgent(Doubler, { mode, name: `${group}${i}`, reuse: { maxMemoryMb } });
        }
      }
      await orchestrator.start();
      await orchestrator.join();
      const runtimes = runtimesOf(events);
      assert.equal(new Set(runtimes.slice(0, 3)).size, 1);
      assert.equal(new Set(runtimes.slice(3)).size, 3);
    });

    it('a failed run is reported as usual and retires its thread or process: the next agent gets a fresh one', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(Doubler, { mode, name: 'before', reuse: true });
      const faulty = orchestrator.registerAgent(Faulty, {
        mode,
        name: 'faulty',
        config: { kind: 'work' },
        reuse: true,
      });
      const exits = orchestrator.registerAgent(Faulty, {
        mode,
        name: 'exits',
        config: { kind: 'exit' },
        reuse: true,
      });
      orchestrator.registerAgent(Doubler, { mode, name: 'after', reuse: true });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(faulty.status, 'failed');
      assert.equal(faulty.lastError?.name, 'RangeError');
      assert.equal(exits.status, 'failed');
      assert.equal(exits.lastError?.name, 'AgentExitError');
      const [before, failing, exiting, after] = runtimesOf(events);
      assert.equal(failing, before, 'the faulty agent ran on the warm one');
      assert.notEqual(exiting, failing, 'a fresh one after the failure');
      assert.notEqual(after, exiting, 'and again after process.exit');
      assert.equal(orchestrator.getAgent('after').status, 'completed');
    });

    it('each run gets its own events: a closed gate holds the second agent on a reused thread or process', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      const gate = new SharedEvent();
      orchestrator.registerAgent(Doubler, { mode, name: 'first', reuse: true });
      const second = orchestrator.registerAgent(Doubler, {
        mode,
        name: 'second',
        reuse: true,
        controlEvents: { execute: gate },
      });
      const ready = nextEventOf(orchestrator, 'agent:ready', 'second');
      await orchestrator.start();
      await ready;
      assert.equal(second.status, 'ready');
      gate.set();
      await orchestrator.join();
      assert.equal(second.result, 42);
      const [first, again] = runtimesOf(events);
      assert.equal(again, first);
    });

    it('stopping and killing pooled agents: a graceful stop keeps the thread or process, a kill ends it', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      const events = new EventLog(orchestrator);
      const stopped = orchestrator.registerAgent(WaitsForStop, { mode, name: 'stopped', reuse: true });
      const killed = orchestrator.registerAgent(WaitsForStop, { mode, name: 'killed', reuse: true });
      orchestrator.registerAgent(Doubler, { mode, name: 'last', reuse: true });
      const firstRunning = nextEventOf(orchestrator, 'agent:running', 'stopped');
      const secondRunning = nextEventOf(orchestrator, 'agent:running', 'killed');
      await orchestrator.start();
      await firstRunning;
      await stopped.stop();
      await secondRunning;
      await killed.kill();
      await orchestrator.join();
      assert.equal(stopped.state.status === 'stopped' && stopped.state.reason, 'stopped');
      assert.equal(killed.state.status === 'stopped' && killed.state.reason, 'killed');
      const [a, b, c] = runtimesOf(events);
      assert.equal(b, a, 'reused after a graceful stop');
      assert.notEqual(c, b, 'not reused after a kill');
    });

    itLeavesNothingBehind();
  });
}

describe('reuse options', () => {
  it('reuse is refused for inline agents and bad values, naming the field', (t) => {
    const orchestrator = createOrchestrator(t);
    assert.throws(() => orchestrator.registerAgent(Doubler, { name: 'a', reuse: true }), {
      option: 'options.reuse',
    });
    assert.throws(
      () => orchestrator.registerAgent(Doubler, { name: 'b', mode: 'thread', reuse: { maxRuns: 0 } }),
      {
        option: 'options.reuse.maxRuns',
      },
    );
  });
});
