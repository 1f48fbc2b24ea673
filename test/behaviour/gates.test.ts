import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedEvent } from '../../src/index.ts';
import { Doubler, Traced, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, LogCapture, PLACEMENTS, type Placement } from '../helpers/orchestrator.ts';

const AGENTS = 5;

/** AGENTS Doublers (`gated-0`…) sharing the given control events. */
const registerGated = (
  orchestrator: ReturnType<typeof createOrchestrator>,
  { mode, reuse }: Placement,
  controlEvents: { setup?: SharedEvent; execute?: SharedEvent },
) =>
  Array.from({ length: AGENTS }, (_, i) =>
    orchestrator.registerAgent(Doubler, {
      mode,
      reuse,
      name: `gated-${i}`,
      config: { value: i },
      controlEvents,
    }),
  );

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('a shared setup gate holds 5 agents after started; none is ready until it is set, then all are', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const gate = new SharedEvent();
      const entries = registerGated(orchestrator, { mode, reuse }, { setup: gate });

      await orchestrator.start();
      await Promise.all(entries.map((entry) => entry.stateEvents.started.wait()));

      assert.deepEqual(
        entries.map((entry) => entry.stateEvents.ready.isSet()),
        Array(AGENTS).fill(false),
      );
      assert.deepEqual(events.of('agent:ready'), []);
      assert.deepEqual(
        entries.map((entry) => entry.status),
        Array(AGENTS).fill('starting'),
      );

      gate.set();
      await Promise.all(entries.map((entry) => entry.stateEvents.ready.wait()));
      await orchestrator.join();

      assert.deepEqual(
        entries.map((entry) => entry.result),
        entries.map((_, i) => i * 2),
      );
      assert.equal(events.of('agent:ready').length, AGENTS);
    });

    it('a shared execute gate holds 5 ready agents; none runs until it is set, then all complete', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const gate = new SharedEvent();
      const entries = registerGated(orchestrator, { mode, reuse }, { execute: gate });

      const allReady = entries.map((entry) => nextEventOf(orchestrator, 'agent:ready', entry.name));

      await orchestrator.start();
      await Promise.all(entries.map((entry) => entry.stateEvents.ready.wait()));
      await Promise.all(allReady); // the orchestrator's view (entry.status) follows the event a moment later

      assert.deepEqual(events.of('agent:running'), []);
      assert.deepEqual(
        entries.map((entry) => [entry.status, entry.stateEvents.closed.isSet()]),
        Array(AGENTS).fill(['ready', false]),
      );

      gate.set();
      await orchestrator.join();

      assert.deepEqual(
        entries.map((entry) => entry.status),
        Array(AGENTS).fill('completed'),
      );
      assert.deepEqual(
        entries.map((entry) => entry.result),
        entries.map((_, i) => i * 2),
      );
    });

    for (const gate of ['setup', 'execute'] as const) {
      const reached = gate === 'setup' ? 'started' : 'ready';
      // Were the pulse missed, the agents would wait for ever: the timeout makes that a failure, not a hang.
      it(`a pulse on a shared ${gate} gate (set, then clear at once) releases the agents that are ${reached}`, {
        timeout: 30_000,
      }, async (t) => {
        const orchestrator = createOrchestrator(t);
        const event = new SharedEvent();
        const entries = registerGated(orchestrator, { mode, reuse }, { [gate]: event });
        await orchestrator.start();
        // An agent marks the gate before it says it reached it: a pulse seen after that releases it,
        // even one that comes before its wait begins on its own thread.
        await Promise.all(entries.map((entry) => entry.stateEvents[reached].wait()));
        event.set();
        event.clear();
        await orchestrator.join();
        assert.deepEqual(
          entries.map((entry) => entry.status),
          Array(AGENTS).fill('completed'),
        );
        assert.equal(event.isSet(), false);
      });
    }

    it("setting an agent's stop control event stops it gracefully", async (t) => {
      const orchestrator = createOrchestrator(t);
      const stop = new SharedEvent();
      const entry = orchestrator.registerAgent(WaitsForStop, { mode, reuse, controlEvents: { stop } });
      const running = nextEventOf(orchestrator, 'agent:running', 'WaitsForStop');

      await orchestrator.start();
      await running;
      stop.set();
      const final = await entry.join();

      assert.equal(final.status, 'stopped');
      assert.equal(final.status === 'stopped' && final.reason, 'stopped');
    });

    it('a stop while held at the setup gate ends the agent gracefully: setup never runs, onClose does', async (t) => {
      const logs = new LogCapture();
      const orchestrator = createOrchestrator(t, { logDestination: logs });
      const entry = orchestrator.registerAgent(Traced, {
        mode,
        reuse,
        logLevel: 'info',
        controlEvents: { setup: new SharedEvent() },
      });

      await orchestrator.start();
      await entry.stateEvents.started.wait();
      await entry.stop();

      assert.equal(entry.state.status === 'stopped' && entry.state.reason, 'stopped');
      assert.deepEqual(logs.steps('Traced'), ['onClose']);
      assert.equal(entry.stateEvents.ready.isSet(), false);
      assert.equal(entry.stateEvents.closed.isSet(), true);
    });

    itLeavesNothingBehind();
  });
}
