import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Traced } from '../fixtures/agents.ts';
import { TracePlugin } from '../fixtures/plugins.ts';
import { EventLog } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, LogCapture, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('initialises plugins before setup and releases them after onClose, in reverse order', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Traced, {
        mode,
        reuse,
        plugins: [new TracePlugin('a'), new TracePlugin('b'), new TracePlugin('c')],
      });

      await orchestrator.start();
      await entry.join();

      assert.equal(entry.status, 'completed');
      // The plugins append to the agent's trace, which is its result (sent after the last release).
      assert.deepEqual(entry.result, [
        'init:a',
        'init:b',
        'init:c',
        'setup',
        'execute',
        'onClose',
        'release:c',
        'release:b',
        'release:a',
      ]);
    });

    // Each failure is reported once, in its phase, and the plugins are still released.
    const failures = { setup: 'TypeError', work: 'RangeError', close: 'EvalError' } as const;
    for (const [failIn, errorName] of Object.entries(failures) as [keyof typeof failures, string][]) {
      it(`releases plugins in reverse order after onClose when the agent fails in ${failIn}`, async (t) => {
        const logs = new LogCapture();
        const orchestrator = createOrchestrator(t, { logDestination: logs });
        const events = new EventLog(orchestrator);
        const entry = orchestrator.registerAgent(Traced, {
          mode,
          reuse,
          config: { failIn },
          logLevel: 'info',
          plugins: [new TracePlugin('a'), new TracePlugin('b')],
        });

        await orchestrator.start();
        await entry.join();

        assert.equal(entry.status, 'failed');
        assert.deepEqual(logs.steps('Traced'), [
          'init:a',
          'init:b',
          'setup',
          ...(failIn === 'setup' ? [] : ['execute']),
          'onClose',
          'release:b',
          'release:a',
        ]);
        assert.deepEqual(
          events.of('agent:error', 'Traced').map((error) => [error.phase, error.error.name]),
          [[failIn, errorName]],
        );
      });
    }

    it('when a plugin fails in init: no setup, onClose runs, only the plugins initialised are released', async (t) => {
      const logs = new LogCapture();
      const orchestrator = createOrchestrator(t, { logDestination: logs });
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Traced, {
        mode,
        reuse,
        logLevel: 'info',
        plugins: [new TracePlugin('a'), new TracePlugin('b', { failInit: true }), new TracePlugin('c')],
      });

      await orchestrator.start();
      await entry.join();

      assert.equal(entry.status, 'failed');
      assert.deepEqual(logs.steps('Traced'), ['init:a', 'init:b', 'onClose', 'release:a']);
      const [error] = events.of('agent:error', 'Traced');
      assert.equal(error?.phase, 'plugins');
      assert.equal(error?.error.name, 'SyntaxError');
      assert.equal(error?.error.message, 'plugin b failed in init');
    });

    itLeavesNothingBehind();
  });
}
