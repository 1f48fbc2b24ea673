/**
 * Inline agents run on the orchestrator's event loop, inside the async context of whoever started
 * them (an `AsyncLocalStorage` store set around `start()` is theirs too), with the inline guard's
 * own context added for their run alone.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { OneShotAgent } from '../../src/index.ts';
import { createOrchestrator } from '../helpers/orchestrator.ts';

const request = new AsyncLocalStorage<string>();

class ReadsContext extends OneShotAgent<Record<string, never>, string | undefined> {
  async execute(): Promise<string | undefined> {
    await Promise.resolve();
    return request.getStore();
  }
}

describe('inline agents and async context', () => {
  it('see the context start() was called in, also when they waited for a slot', async (t) => {
    const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
    const entries = [0, 1, 2].map((i) => orchestrator.registerAgent(ReadsContext, { name: `reader-${i}` }));
    await request.run('request-42', () => orchestrator.start());
    await orchestrator.join();
    assert.deepEqual(
      entries.map((entry) => entry.result),
      ['request-42', 'request-42', 'request-42'],
    );
  });

  it('leave the context of the code around them as it was', async (t) => {
    const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
    orchestrator.registerAgent(ReadsContext, { name: 'reader' });
    const seen: (string | undefined)[] = [];
    await request.run('outer', async () => {
      await orchestrator.start();
      seen.push(request.getStore());
      await orchestrator.join();
      seen.push(request.getStore());
      await Promise.resolve();
      seen.push(request.getStore());
    });
    seen.push(request.getStore());
    assert.deepEqual(seen, ['outer', 'outer', 'outer', undefined]);
  });
});
