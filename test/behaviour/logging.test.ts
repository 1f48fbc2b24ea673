import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chatty } from '../fixtures/agents.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, LogCapture, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents: structured logs`, () => {
    it('every line carries agent, mode, pid and threadId, reaches the orchestrator, and honours the per-agent level', async (t) => {
      const capture = new LogCapture();
      const orchestrator = createOrchestrator(t, { logLevel: 'info', logDestination: capture });
      const verbose = orchestrator.registerAgent(Chatty, { mode, reuse, name: 'verbose', logLevel: 'debug' });
      orchestrator.registerAgent(Chatty, { mode, reuse, name: 'default' });
      orchestrator.registerAgent(Chatty, { mode, reuse, name: 'quiet', logLevel: 'warn' });
      const started = new Promise<{ pid: number; threadId: number | undefined }>((resolve) =>
        orchestrator.on('agent:started', (payload) => {
          if (payload.agent === 'verbose') resolve(payload);
        }),
      );
      await orchestrator.start();
      const runtime = await started;
      await orchestrator.join();

      assert.equal(verbose.status, 'completed');
      assert.deepEqual(capture.steps('verbose'), ['debug', 'info', 'warn']);
      assert.deepEqual(capture.steps('default'), ['info', 'warn']);
      assert.deepEqual(capture.steps('quiet'), ['warn']);
      for (const line of capture.lines.filter((entry) => entry.agent === 'verbose')) {
        assert.equal(line.mode, mode);
        assert.equal(line.pid, runtime.pid);
        assert.equal(line.threadId, runtime.threadId);
        assert.equal(typeof line.time, 'number');
        assert.equal(typeof line.msg, 'string');
      }
    });

    itLeavesNothingBehind();
  });
}
