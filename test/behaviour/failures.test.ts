import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { before, describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  AgentExitError,
  AgentKilledError,
  type AgentMode,
  deserializeError,
  type Orchestrator,
  type OrchestratorEventMap,
  UnhandledRejectionError,
} from '../../src/index.ts';
import { Doubler, type FailureKind, Faulty, Hog, WaitsForStop } from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, MODES } from '../helpers/orchestrator.ts';

const FIXTURE_FILE = 'test/fixtures/agents.ts';

/** Whether `pid` is a live process (an exited one not yet reaped by its new parent counts as gone). */
function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

interface Outcome {
  victim: ReturnType<Orchestrator['getAgent']>;
  events: EventLog;
  terminated: OrchestratorEventMap['agent:terminated'];
}

/**
 * The same scene for every failure: at maxWorkers 2, a healthy `sibling` holds one slot and runs until
 * stopped, the `victim` holds the other, and `queued` waits for a slot. Only the victim's end can let
 * `queued` run. After the victim's end: `queued` completes, the sibling is still running and stops
 * gracefully, and `join()` resolves.
 */
async function failureScene(
  t: TestContext,
  mode: AgentMode,
  victim: (orchestrator: Orchestrator) => ReturnType<Orchestrator['getAgent']>,
  trigger: (
    orchestrator: Orchestrator,
    victim: ReturnType<Orchestrator['getAgent']>,
  ) => Promise<void> = async () => {},
): Promise<Outcome> {
  const orchestrator = createOrchestrator(t, { maxWorkers: 2 });
  const events = new EventLog(orchestrator);
  const sibling = orchestrator.registerAgent(WaitsForStop, { mode, name: 'sibling' });
  const entry = victim(orchestrator);
  const queued = orchestrator.registerAgent(Doubler, { mode, name: 'queued', config: { value: 4 } });
  const siblingRunning = nextEventOf(orchestrator, 'agent:running', 'sibling');
  const victimTerminated = nextEventOf(orchestrator, 'agent:terminated', entry.name);

  await orchestrator.start();
  assert.deepEqual(
    events.of('agent:queued').map(({ agent }) => agent),
    ['queued'],
  );
  await trigger(orchestrator, entry);
  const terminated = await victimTerminated;

  // The slot is freed: the agent queued behind the victim runs and completes.
  await queued.join();
  assert.equal(queued.status, 'completed');
  assert.equal(queued.result, 8);
  // The sibling is unaffected: still running, and it stops gracefully when asked.
  await siblingRunning;
  assert.equal(sibling.status, 'running');
  await sibling.stop();
  assert.equal(sibling.state.status === 'stopped' && sibling.state.reason, 'stopped');
  await orchestrator.join();
  assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);
  return { victim: entry, events, terminated };
}

/** The AGENT_ERROR events of `agent`: exactly one, returned. */
function onlyError(events: EventLog, agent: string): OrchestratorEventMap['agent:error'] {
  const errors = events.of('agent:error', agent);
  assert.equal(errors.length, 1, `one AGENT_ERROR for ${agent}: ${JSON.stringify(errors)}`);
  return errors[0]!;
}

const faulty = (mode: AgentMode, kind: FailureKind) => (orchestrator: Orchestrator) =>
  orchestrator.registerAgent(Faulty, { mode, name: 'victim', config: { kind } });

/**
 * node:test listens to 'unhandledRejection' itself and fails the running test on any rejection, even
 * one the inline guard already turned into the agent's failure. A plain program has no such listener,
 * so the runner's listeners (those present before any agent ran in this file) are set aside for the
 * test and restored after it. The guard's own listener stays.
 */
let hostRejectionListeners: NodeJS.UnhandledRejectionListener[] = [];
before(() => {
  hostRejectionListeners = process.listeners('unhandledRejection');
});

function setAsideHostRejectionListeners(t: TestContext): void {
  for (const listener of hostRejectionListeners) process.off('unhandledRejection', listener);
  t.after(() => {
    for (const listener of hostRejectionListeners) process.on('unhandledRejection', listener);
  });
}

for (const mode of MODES) {
  describe(`${mode} agents`, () => {
    it('a throw in setup: AGENT_ERROR (TypeError, phase setup), reason "failed", slot freed, others unaffected', async (t) => {
      const { victim, events, terminated } = await failureScene(t, mode, faulty(mode, 'setup'));

      const error = onlyError(events, 'victim');
      assert.equal(error.phase, 'setup');
      assert.equal(error.error.name, 'TypeError');
      assert.equal(error.error.message, 'setup failed on purpose');
      assert.ok(error.error.stack?.includes(FIXTURE_FILE), error.error.stack);
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.error?.name, 'TypeError');
      assert.equal(victim.status, 'failed');
      assert.equal(victim.lastError?.name, 'TypeError');
      const rebuilt = deserializeError(victim.lastError!);
      assert.ok(rebuilt instanceof TypeError);
      assert.equal(rebuilt.message, 'setup failed on purpose');
      assert.ok(rebuilt.stack?.includes(FIXTURE_FILE));
    });

    it('a throw in work: AGENT_ERROR (RangeError, phase work), reason "failed", slot freed, others unaffected', async (t) => {
      const { victim, events, terminated } = await failureScene(t, mode, faulty(mode, 'work'));

      const error = onlyError(events, 'victim');
      assert.equal(error.phase, 'work');
      assert.equal(error.error.name, 'RangeError');
      assert.equal(error.error.message, 'work failed on purpose');
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.result, undefined);
      assert.equal(victim.lastError?.name, 'RangeError');
      assert.ok(victim.lastError?.stack?.includes(FIXTURE_FILE), victim.lastError?.stack);
      assert.ok(deserializeError(victim.lastError!) instanceof RangeError);
      assert.equal(victim.stateEvents.closed.isSet(), true);
    });

    it('an unhandled rejection: AGENT_ERROR (UnhandledRejectionError, phase unhandled), reason "failed", slot freed, others unaffected', async (t) => {
      if (mode === 'inline') setAsideHostRejectionListeners(t);
      const { victim, events, terminated } = await failureScene(t, mode, faulty(mode, 'rejection'));

      const error = onlyError(events, 'victim');
      assert.equal(error.phase, 'unhandled');
      assert.equal(error.error.name, 'UnhandledRejectionError');
      assert.match(error.error.message, /nobody awaits this/);
      assert.equal(error.error.cause?.message, 'nobody awaits this');
      assert.ok(error.error.cause?.stack?.includes(FIXTURE_FILE), error.error.cause?.stack);
      assert.equal(terminated.reason, 'failed');
      const rebuilt = deserializeError(victim.lastError!);
      assert.ok(rebuilt instanceof UnhandledRejectionError);
      assert.equal((rebuilt as UnhandledRejectionError).code, 'ERR_UNHANDLED_REJECTION');
    });

    it('process.exit(3): AGENT_ERROR (AgentExitError), reason "failed" with exitCode 3, slot freed, others unaffected', async (t) => {
      const { victim, events, terminated } = await failureScene(t, mode, faulty(mode, 'exit'));

      const error = onlyError(events, 'victim');
      assert.equal(error.error.name, 'AgentExitError');
      assert.match(error.error.message, /exited with code 3/);
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.exitCode, 3);
      assert.equal(victim.state.status === 'failed' && victim.state.exitCode, 3);
      const rebuilt = deserializeError(victim.lastError!);
      assert.ok(rebuilt instanceof AgentExitError);
      assert.equal((rebuilt as AgentExitError).exitCode, 3);
    });

    if (mode === 'process') {
      it('SIGKILL from outside: AGENT_ERROR (AgentKilledError), reason "killed", signal SIGKILL, slot freed, others unaffected', async (t) => {
        const { victim, events, terminated } = await failureScene(
          t,
          mode,
          (orchestrator) => orchestrator.registerAgent(WaitsForStop, { mode, name: 'victim' }),
          async (orchestrator, entry) => {
            await nextEventOf(orchestrator, 'agent:running', 'victim');
            const pid = entry.runtime?.pid;
            assert.ok(pid && pid !== process.pid, `a child pid, got ${pid}`);
            process.kill(pid, 'SIGKILL');
          },
        );

        const error = onlyError(events, 'victim');
        assert.equal(error.error.name, 'AgentKilledError');
        assert.match(error.error.message, /SIGKILL/);
        assert.equal(terminated.reason, 'killed');
        assert.equal(terminated.signal, 'SIGKILL');
        assert.equal(victim.status, 'failed');
        assert.equal(victim.state.status === 'failed' && victim.state.signal, 'SIGKILL');
        assert.ok(deserializeError(victim.lastError!) instanceof AgentKilledError);
      });
    }

    it(`entry.kill() (${mode === 'inline' ? 'abandon' : mode === 'thread' ? 'worker terminate' : 'SIGTERM'}): reason "killed", no AGENT_ERROR (a requested kill is a forced stop), slot freed, others unaffected`, async (t) => {
      const { victim, events, terminated } = await failureScene(
        t,
        mode,
        (orchestrator) => orchestrator.registerAgent(WaitsForStop, { mode, name: 'victim' }),
        async (orchestrator, entry) => {
          await nextEventOf(orchestrator, 'agent:running', 'victim');
          await entry.kill();
        },
      );

      assert.deepEqual(events.of('agent:error', 'victim'), []);
      assert.equal(terminated.reason, 'killed');
      if (mode === 'process') assert.equal(terminated.signal, 'SIGTERM');
      assert.equal(victim.status, 'stopped');
      assert.equal(victim.state.status === 'stopped' && victim.state.reason, 'killed');
      assert.deepEqual(
        events.of('agent:stopping', 'victim').map(({ forced }) => forced),
        [true],
      );
    });

    if (mode === 'thread') {
      it('running out of memory (resourceLimits): AGENT_ERROR (ERR_WORKER_OUT_OF_MEMORY), reason "failed", slot freed, others unaffected', async (t) => {
        const { victim, events, terminated } = await failureScene(t, mode, (orchestrator) =>
          orchestrator.registerAgent(Hog, {
            mode,
            name: 'victim',
            resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
          }),
        );

        const error = onlyError(events, 'victim');
        assert.equal(error.error.code, 'ERR_WORKER_OUT_OF_MEMORY');
        assert.equal(terminated.reason, 'failed');
        assert.equal(victim.status, 'failed');
      });
    }

    if (mode === 'process') {
      it('killing the host process (SIGKILL) ends its process agents too: no orphan is left', async () => {
        const host = fork(fileURLToPath(new URL('../fixtures/host.ts', import.meta.url)), {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const hostExited = once(host, 'exit');
        const [{ agentPid }] = (await once(host, 'message')) as [{ agentPid: number }];
        assert.ok(isRunning(agentPid), 'the agent runs while its host does');

        host.kill('SIGKILL');
        await hostExited;

        // The agent notices its IPC channel closing and leaves: wait for that (bounded), then check.
        const deadline = performance.now() + 20_000;
        while (isRunning(agentPid) && performance.now() < deadline) await delay(10);
        assert.equal(isRunning(agentPid), false, `agent process ${agentPid} outlived its host`);
      });
    }

    itLeavesNothingBehind();
  });
}
