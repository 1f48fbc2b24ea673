import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HeartbeatPlugin, InvalidOptionError } from '../../src/index.ts';
import { BeatsWhileBusy, GoesQuiet, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEvent, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents: heartbeats and liveness`, () => {
    it('the HeartbeatPlugin sends AGENT_HEARTBEAT with increasing sequence numbers while the agent runs', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'beating',
        plugins: [new HeartbeatPlugin({ interval: 5 })],
      });
      const third = nextEvent(orchestrator, 'agent:heartbeat', ({ sequence }) => sequence === 3);
      await orchestrator.start();
      await third;
      await entry.stop();
      const sequences = events.of('agent:heartbeat', 'beating').map(({ sequence }) => sequence);
      assert.deepEqual(sequences.slice(0, 3), [1, 2, 3]);
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
      );
      // No heartbeat once the agent has ended, and it was never reported unresponsive.
      const afterEnd = events.all.findIndex((event) => event.type === 'agent:terminated');
      assert.ok(events.all.slice(afterEnd).every((event) => event.type !== 'agent:heartbeat'));
      assert.deepEqual(events.of('agent:unresponsive'), []);
      // Heartbeats are not in the agent's history.
      assert.ok(
        orchestrator.getAgentStats('beating').history.every(({ event }) => event !== ('heartbeat' as never)),
      );
    });

    it('a burst of 5,000 heartbeats arrives whole and in order, one AGENT_HEARTBEAT each', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(GoesQuiet, {
        mode,
        reuse,
        name: 'burst',
        config: { beats: 5000 },
      });
      const last = nextEvent(orchestrator, 'agent:heartbeat', ({ sequence }) => sequence === 5000);
      await orchestrator.start();
      await last;
      await entry.stop();
      const sequences = events.of('agent:heartbeat', 'burst').map(({ sequence }) => sequence);
      assert.deepEqual(
        sequences,
        Array.from({ length: 5000 }, (_, index) => index + 1),
      );
      assert.equal(orchestrator.history({ agent: 'burst', type: 'agent:heartbeat' }).length, 5000);
    });

    // Inline agents run on the orchestrator's own thread: there is no "while busy" to observe.
    if (mode !== 'inline') {
      it('a heartbeat reaches the orchestrator while the agent is still busy in synchronous code', async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-busy-'));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const release = join(dir, 'release');
        const orchestrator = createOrchestrator(t);
        const entry = orchestrator.registerAgent(BeatsWhileBusy, {
          mode,
          reuse,
          name: 'busy',
          config: { release },
        });
        const beat = nextEventOf(orchestrator, 'agent:heartbeat', 'busy');
        await orchestrator.start();
        assert.equal((await beat).sequence, 1);
        assert.equal(entry.status, 'running');
        writeFileSync(release, '');
        await orchestrator.join();
        assert.equal(entry.status, 'completed');
      });
    }

    it('an agent that goes silent after heartbeats is reported unresponsive once, after unresponsiveAfter check intervals', async (t) => {
      const orchestrator = createOrchestrator(t, { checkInterval: 10, unresponsiveAfter: 2 });
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(GoesQuiet, { mode, reuse, name: 'quiet' });
      const unresponsive = nextEventOf(orchestrator, 'agent:unresponsive', 'quiet');
      await orchestrator.start();
      const report = await unresponsive;
      assert.equal(report.lastSequence, 3);
      assert.ok(report.silentMs >= 20, `silent for ${report.silentMs} ms`);
      assert.equal(entry.status, 'running');
      await entry.stop();
      assert.equal(events.of('agent:unresponsive').length, 1);
    });

    it('with a restart policy, an unresponsive agent is killed as failed (AgentUnresponsiveError) and restarted', async (t) => {
      const orchestrator = createOrchestrator(t, { checkInterval: 10, unresponsiveAfter: 2 });
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(GoesQuiet, {
        mode,
        reuse,
        name: 'quiet',
        restart: { when: 'on-failure', maxRestarts: 1, backoffMs: 0 },
      });
      await orchestrator.start();
      await orchestrator.join();
      assert.equal(entry.status, 'failed');
      assert.equal(entry.restarts, 1);
      assert.equal(entry.lastError?.code, 'ERR_AGENT_UNRESPONSIVE');
      assert.equal(events.of('agent:unresponsive', 'quiet').length, 2);
      assert.deepEqual(
        events.of('agent:terminated', 'quiet').map(({ reason }) => reason),
        ['failed', 'failed'],
      );
      assert.equal(events.of('agent:restart-limit', 'quiet').length, 1);
    });

    itLeavesNothingBehind();
  });
}

describe('HeartbeatPlugin options', () => {
  it('refuses an interval that is not a positive number, and options that are not an object', () => {
    for (const interval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '500']) {
      assert.throws(
        () => new HeartbeatPlugin({ interval: interval as number }),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === 'HeartbeatPlugin.interval' &&
          /expected a positive number of ms/.test(error.message),
        String(interval),
      );
    }
    for (const options of [null, 500]) {
      assert.throws(() => new HeartbeatPlugin(options as never), { option: 'HeartbeatPlugin options' });
    }
    assert.equal(new HeartbeatPlugin().interval, 1000);
  });
});
