import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, SharedEvent } from '../../src/index.ts';
import { Doubler, Faulty, Hog, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents: supervision`, () => {
    it('on-failure: restarts a failing agent with backoff until maxRestarts, then AGENT_RESTART_LIMIT and it stays failed', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Faulty, {
        mode,
        reuse,
        name: 'flaky',
        restart: { when: 'on-failure', maxRestarts: 3, backoffMs: 1, backoffFactor: 2, backoffMaxMs: 3 },
      });
      await orchestrator.start();
      await orchestrator.join();

      assert.equal(entry.status, 'failed');
      assert.equal(entry.restarts, 3);
      assert.deepEqual(
        events
          .of('agent:restarted')
          .map(({ restarts, automatic, delayMs }) => [restarts, automatic, delayMs]),
        [
          [1, true, 1],
          [2, true, 2],
          [3, true, 3],
        ],
      );
      assert.equal(events.of('agent:started', 'flaky').length, 4, 'a fresh run each time');
      assert.equal(events.of('agent:terminated', 'flaky').length, 4);
      const [limit] = events.of('agent:restart-limit');
      assert.deepEqual(
        { ...limit, timestamp: 0 },
        {
          agent: 'flaky',
          timestamp: 0,
          restarts: 3,
          maxRestarts: 3,
          withinMs: 60_000,
        },
      );
      assert.equal(
        events.of('orchestrator:all-agents-terminated').length,
        1,
        'one batch, over after the limit',
      );
      assert.deepEqual(orchestrator.getAgentStats('flaky').counts.failed, 4);
    });

    it('always: restarts an agent that completed; on-failure does not', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const always = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'always',
        restart: { when: 'always', maxRestarts: 2, backoffMs: 0 },
      });
      const onFailure = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'on-failure',
        restart: 'on-failure',
      });
      await orchestrator.start();
      await orchestrator.join();
      assert.equal(always.status, 'completed');
      assert.equal(always.restarts, 2);
      assert.equal(events.of('agent:terminated', 'always').length, 3);
      assert.equal(onFailure.restarts, 0);
    });

    it('a requested stop or kill is never restarted; a stop during the backoff cancels the restart', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const policy = { when: 'always', backoffMs: 60_000 } as const;
      const stopped = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'stopped',
        restart: policy,
      });
      const killed = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'killed',
        restart: policy,
      });
      const backingOff = orchestrator.registerAgent(Faulty, {
        mode,
        reuse,
        name: 'backing-off',
        restart: policy,
      });
      const running = [
        nextEventOf(orchestrator, 'agent:running', 'stopped'),
        nextEventOf(orchestrator, 'agent:running', 'killed'),
      ];
      const failed = nextEventOf(orchestrator, 'agent:terminated', 'backing-off');
      await orchestrator.start();
      await Promise.all(running);
      await failed;

      assert.deepEqual(backingOff.waitingFor?.reason, 'backoff');
      assert.match(orchestrator.status('backing-off').waitingFor ?? '', /^a restart in \d+ ms$/);
      await stopped.stop();
      await killed.kill();
      await backingOff.stop();
      await orchestrator.join();
      assert.deepEqual([stopped.status, killed.status, backingOff.status], ['stopped', 'stopped', 'stopped']);
      assert.deepEqual(events.of('agent:restarted'), []);
    });

    it('restartDependents: when an agent is restarted by its policy, the agents that depend on it restart too', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const gate = new SharedEvent();
      const source = orchestrator.registerAgent(Faulty, {
        mode,
        reuse,
        name: 'source',
        controlEvents: { execute: gate },
        restart: { when: 'on-failure', maxRestarts: 1, backoffMs: 0, restartDependents: true },
      });
      const consumer = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'consumer',
        dependsOn: ['source'],
      });
      const consumerRunning = nextEventOf(orchestrator, 'agent:running', 'consumer');
      await orchestrator.start();
      await consumerRunning;

      // The source fails once: its gate closes again as soon as it reports the error, so its
      // fresh run waits, ready, at the gate.
      orchestrator.on('agent:error', ({ agent }) => {
        if (agent === 'source') gate.clear();
      });
      const restartedConsumer = nextEventOf(orchestrator, 'agent:restarted', 'consumer');
      const runningAgain = nextEventOf(orchestrator, 'agent:running', 'consumer');
      gate.set();
      const { automatic } = await restartedConsumer;
      assert.equal(automatic, false, 'restarted by the orchestrator on behalf of its dependency');
      await runningAgain;
      assert.equal(source.status, 'ready');
      assert.deepEqual([source.restarts, consumer.restarts], [1, 1]);
      assert.equal(events.of('agent:restarted', 'source')[0]?.automatic, true);
      await orchestrator.stop();
      assert.deepEqual([source.status, consumer.status], ['stopped', 'stopped']);
    });

    it('stopping everything goes in reverse dependency order', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'c', dependsOn: ['b'] });
      orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'a' });
      orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'b', dependsOn: ['a'] });
      const running = ['a', 'b', 'c'].map((name) => nextEventOf(orchestrator, 'agent:running', name));
      await orchestrator.start();
      await Promise.all(running);
      await orchestrator.stop();
      assert.deepEqual(
        events.of('agent:terminated').map(({ agent }) => agent),
        ['c', 'b', 'a'],
      );
      await orchestrator.stop(); // idempotent
      await orchestrator.shutdown();
      await orchestrator.shutdown();
    });

    if (mode !== 'inline') {
      it('a memory ceiling: running out of it is reported as out of memory, and restarted by policy', async (t) => {
        const orchestrator = createOrchestrator(t);
        const events = new EventLog(orchestrator);
        const hog = orchestrator.registerAgent(Hog, {
          mode,
          reuse,
          name: 'hog',
          resourceLimits: { maxOldGenerationSizeMb: 32 },
          restart: { when: 'on-failure', maxRestarts: 1, backoffMs: 0 },
        });
        const stderrWrite = process.stderr.write;
        if (mode === 'process') t.mock.method(process.stderr, 'write', () => true); // V8's OOM report
        await orchestrator.start();
        await orchestrator.join();
        process.stderr.write = stderrWrite;
        assert.equal(hog.status, 'failed');
        assert.equal(hog.restarts, 1);
        const codes = events.of('agent:error', 'hog').map(({ error }) => error.code);
        const expected = mode === 'thread' ? 'ERR_WORKER_OUT_OF_MEMORY' : 'ERR_AGENT_OUT_OF_MEMORY';
        assert.deepEqual(codes, [expected, expected]);
        assert.equal(events.of('agent:restart-limit', 'hog').length, 1);
      });
    }

    itLeavesNothingBehind();
  });
}

describe('supervision options', () => {
  it('bad restart policies and resource limits are refused naming the field and value', (t) => {
    const orchestrator = createOrchestrator(t);
    const refused = (options: object, option: string) =>
      assert.throws(
        () => orchestrator.registerAgent(WaitsForStop, { name: 'x', ...options }),
        (error: unknown) => error instanceof InvalidOptionError && error.option === option,
      );
    refused({ restart: 'sometimes' }, 'options.restart');
    refused({ restart: { when: 'always', maxRestarts: 1.5 } }, 'options.restart.maxRestarts');
    refused({ restart: { when: 'always', backoffMs: -1 } }, 'options.restart.backoffMs');
    refused({ restart: { when: 'always', retries: 3 } }, 'options.restart.retries');
    // A required key left out is said to be required (its object's message listed the keys instead).
    assert.throws(
      () => orchestrator.registerAgent(WaitsForStop, { name: 'x', restart: { maxRestarts: 3 } as never }),
      (error: unknown) =>
        error instanceof InvalidOptionError &&
        error.option === 'options.restart.when' &&
        /received undefined; expected a value \(it is required\)/.test(error.message),
    );
    refused({ mode: 'inline', resourceLimits: { maxOldGenerationSizeMb: 64 } }, 'options.resourceLimits');
    refused({ mode: 'process', resourceLimits: { stackSizeMb: 4 } }, 'options.resourceLimits.stackSizeMb');
  });
});
