/**
 * Inline agents run on the orchestrator's event loop, inside the async context of whoever started
 * them (an `AsyncLocalStorage` store set around `start()` is theirs too), with the inline guard's
 * own context added for their run alone.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OneShotAgent, Orchestrator } from '../../src/index.ts';
import { createOrchestrator } from '../helpers/orchestrator.ts';

const request = new AsyncLocalStorage<string>();

class ReadsContext extends OneShotAgent<Record<string, never>, string | undefined> {
  async execute(): Promise<string | undefined> {
    await Promise.resolve();
    return request.getStore();
  }
}

/** Reads the context, then holds its slot until `release()`. */
let release = () => {};
class HoldsSlot extends OneShotAgent<Record<string, never>, string | undefined> {
  async execute(): Promise<string | undefined> {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
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

  it('see the context of their own start(), not that of the run whose slot they take', async (t) => {
    const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
    const first = orchestrator.registerAgent(HoldsSlot, { name: 'first' });
    await request.run('first start', () => first.start());
    const waiting = orchestrator.registerAgent(ReadsContext, { name: 'waiting' });
    await request.run('second start', () => orchestrator.start());
    assert.equal(waiting.state.status, 'waiting');
    release(); // `waiting` is launched from the end of `first`, inside first's context
    await orchestrator.join();
    assert.deepEqual([first.result, waiting.result], ['first start', 'second start']);
  });

  it("a run's end is told in the context of its own start(), also when another run ended in the same turn", async (t) => {
    const orchestrator = createOrchestrator(t);
    const a = orchestrator.registerAgent(ReadsContext, { name: 'a' });
    const b = orchestrator.registerAgent(ReadsContext, { name: 'b' });
    const seen = new Map<string, string | undefined>();
    orchestrator.on('agent:terminated', ({ agent }) => seen.set(agent, request.getStore()));
    // Each from its own context, at once: both end in the same turn, and their ends are told together.
    await Promise.all([
      request.run('context of a', () => a.start()),
      request.run('context of b', () => b.start()),
    ]);
    await orchestrator.join();
    assert.deepEqual([a.result, b.result], ['context of a', 'context of b']);
    assert.deepEqual(Object.fromEntries(seen), { a: 'context of a', b: 'context of b' });
  });

  it('a restart runs in the context restart() was called in', async (t) => {
    const orchestrator = createOrchestrator(t);
    const reader = orchestrator.registerAgent(ReadsContext, { name: 'reader' });
    await request.run('start', () => orchestrator.start());
    await orchestrator.join();
    await request.run('restart', () => orchestrator.restart('reader'));
    await reader.join();
    assert.equal(reader.result, 'restart');
  });

  it('an ended run does not keep the context it was started in alive', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = new AsyncLocalStorage<object>();
    const orchestrator = new Orchestrator({ logLevel: 'silent', handleSignals: false });
    orchestrator.registerAgent(ReadsContext, { name: 'reader' });
    let ref: WeakRef<object> | undefined;
    await (async () => {
      const value = {};
      ref = new WeakRef(value);
      await store.run(value, () => orchestrator.start());
    })();
    await orchestrator.join();
    // WeakRefs hold their targets until the current job ends; the inline guard watches one more turn.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(ref?.deref(), undefined);
    assert.equal(orchestrator.getAgent('reader').state.status, 'completed');
    await orchestrator.shutdown();
  });
});
