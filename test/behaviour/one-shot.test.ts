import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import type { AgentEntry } from '../../src/index.ts';
import { Doubler } from '../fixtures/agents.ts';
import { EventLog } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

/**
 * Makes the late-message case happen on purpose. libuv handles a poll batch's I/O callbacks first and
 * its SIGCHLD last, and on SIGCHLD it reaps every exited child. So: another child prints and exits;
 * its output callback (same batch as its SIGCHLD) holds the event loop until the agent's process has
 * run to its end. The SIGCHLD handling then reaps the agent too, before its messages were read.
 */
function holdPollBatchUntilExited(pid: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // Bounded, so that a child that never ends cannot block the test process for good.
  const hold = (target: number) => {
    const deadline = performance.now() + 10_000;
    while (!isZombie(target) && performance.now() < deadline) Atomics.wait(cell, 0, 0, 1);
  };
  const other = spawn('sh', ['-c', 'echo x'], { stdio: ['ignore', 'pipe', 'ignore'] });
  other.stdout.once('data', () => hold(pid));
  hold(other.pid!); // its output and its SIGCHLD are then both pending for the next poll
}

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return false;
  }
}

/** Uncaught exceptions during the test land here instead of failing the run (node:test's listeners are set aside). */
function collectUncaughtExceptions(t: TestContext): unknown[] {
  const collected: unknown[] = [];
  const runnerListeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const collect = (error: unknown) => collected.push(error);
  process.on('uncaughtException', collect);
  t.after(() => {
    process.off('uncaughtException', collect);
    for (const listener of runnerListeners) process.on('uncaughtException', listener);
  });
  return collected;
}

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents`, () => {
    it('a one-shot agent returns its result to entry.result and AGENT_TERMINATED', async (t) => {
      const orchestrator = createOrchestrator(t);
      const events = new EventLog(orchestrator);
      const entry = orchestrator.registerAgent(Doubler, { mode, reuse, config: { value: 21 } });

      await orchestrator.start();
      const final = await entry.join();

      assert.equal(final.status, 'completed');
      assert.equal(entry.result, 42);
      const [terminated, ...more] = events.of('agent:terminated', 'Doubler');
      assert.equal(more.length, 0);
      assert.equal(terminated?.reason, 'completed');
      assert.equal(terminated?.result, 42);
      assert.equal(terminated?.error, undefined);
      assert.deepEqual(final, { status: 'completed', since: terminated?.timestamp, result: 42 });
      assert.equal(entry.state, final, 'the same state object on every read');
      assert.deepEqual(events.of('agent:error'), []);
      const [started] = events.of('agent:started', 'Doubler');
      assert.equal(started?.mode, mode);
      if (mode === 'process') assert.notEqual(started?.pid, process.pid);
      else assert.equal(started?.pid, process.pid);
      assert.equal(started?.threadId === undefined, mode !== 'thread');
      await orchestrator.join();
    });

    it('runs a .ts agent module without a build step (the class is imported from test/fixtures/agents.ts)', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Doubler, {
        mode,
        reuse,
        name: 'from-ts',
        config: { value: 5 },
      });
      assert.ok(Doubler.module.endsWith('/test/fixtures/agents.ts'));

      await orchestrator.start();
      await orchestrator.join();

      assert.equal(entry.status, 'completed');
      assert.equal(entry.result, 10);
    });

    // A pooled process does not exit after its run: the race this checks cannot happen there.
    if (mode === 'process' && !reuse) {
      it('completes even when its exit is noticed before its last messages (another child exits at the same time)', async (t) => {
        const uncaught = collectUncaughtExceptions(t);
        for (let attempt = 0; attempt < 20; attempt++) {
          const orchestrator = createOrchestrator(t);
          const entry: AgentEntry<number> = orchestrator.registerAgent(Doubler, {
            mode,
            reuse,
            name: `race-${attempt}`,
          });
          await orchestrator.start();
          holdPollBatchUntilExited(entry.runtime!.pid);
          await orchestrator.join();
          // Its last IPC message (the mirrored `closed` event) has been handled by now.
          await entry.stateEvents.closed.wait();
          await setImmediate();

          assert.deepEqual(
            [entry.status, entry.result, entry.lastError?.message],
            ['completed', 42, undefined],
          );
          assert.deepEqual(uncaught, []);
        }
      });
    }

    itLeavesNothingBehind();
  });
}
