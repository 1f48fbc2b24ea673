import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { before, describe, it, type TestContext } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  AgentExitError,
  AgentKilledError,
  type AgentMode,
  deserializeError,
  type Orchestrator,
  type OrchestratorConfig,
  type OrchestratorEventMap,
  UnhandledRejectionError,
} from '../../src/index.ts';
import {
  Doubler,
  type FailureKind,
  Faulty,
  Hog,
  IgnoresStop,
  PostsJunk,
  WaitsForStop,
} from '../fixtures/agents.ts';
import { EventLog, nextEventOf } from '../helpers/events.ts';
import { assertNoLeftovers, itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, MODES, PLACEMENTS, type Placement } from '../helpers/orchestrator.ts';

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
  orchestrator: Orchestrator;
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
  on: Placement,
  victim: (orchestrator: Orchestrator) => ReturnType<Orchestrator['getAgent']>,
  trigger: (
    orchestrator: Orchestrator,
    victim: ReturnType<Orchestrator['getAgent']>,
  ) => Promise<void> = async () => {},
  config: OrchestratorConfig = {},
): Promise<Outcome> {
  const orchestrator = createOrchestrator(t, { maxWorkers: 2, ...config });
  const events = new EventLog(orchestrator);
  const sibling = orchestrator.registerAgent(WaitsForStop, { ...on, name: 'sibling' });
  const entry = victim(orchestrator);
  const queued = orchestrator.registerAgent(Doubler, { ...on, name: 'queued', config: { value: 4 } });
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
  if (on.reuse) {
    // The victim's thread or process was retired, not handed to the next agent.
    const where = (agent: string) => {
      const [started] = events.of('agent:started', agent);
      assert.ok(started, `${agent} started`);
      return `pid ${started.pid}, thread ${started.threadId}`;
    };
    assert.notEqual(where('queued'), where(entry.name));
  }
  // The sibling is unaffected: still running, and it stops gracefully when asked.
  await siblingRunning;
  assert.equal(sibling.status, 'running');
  await sibling.stop();
  assert.equal(sibling.state.status === 'stopped' && sibling.state.reason, 'stopped');
  await orchestrator.join();
  assert.equal(events.of('orchestrator:all-agents-terminated').length, 1);
  return { orchestrator, victim: entry, events, terminated };
}

/** The AGENT_ERROR events of `agent`: exactly one, returned. */
function onlyError(events: EventLog, agent: string): OrchestratorEventMap['agent:error'] {
  const errors = events.of('agent:error', agent);
  assert.equal(errors.length, 1, `one AGENT_ERROR for ${agent}: ${JSON.stringify(errors)}`);
  return errors[0]!;
}

const faulty = (kind: FailureKind) => (orchestrator: Orchestrator, on: Placement) =>
  orchestrator.registerAgent(Faulty, { ...on, name: 'victim', config: { kind } });

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

/** One row of the crash matrix: how to make the victim fail, and what its end must look like. */
interface Crash {
  name: string;
  /** Modes the case applies to, with why the others are left out. */
  modes: readonly AgentMode[];
  register(orchestrator: Orchestrator, on: Placement): ReturnType<Orchestrator['getAgent']>;
  trigger?(
    orchestrator: Orchestrator,
    victim: ReturnType<Orchestrator['getAgent']>,
    mode: AgentMode,
  ): Promise<void>;
  /** Orchestrator config for the scene (e.g. a short stop timeout). */
  config?: OrchestratorConfig;
  setup?(t: TestContext, mode: AgentMode): void;
  expect(outcome: Outcome, mode: AgentMode): void;
}

const ALL = MODES;
/** Resolves once the victim runs: at once if it already does (an inline one can, by the time `start()` resolves). */
const victimRunning = async (orchestrator: Orchestrator) => {
  if (orchestrator.getAgent('victim').status !== 'running') {
    await nextEventOf(orchestrator, 'agent:running', 'victim');
  }
};

/** The victim leaves a rejection unhandled (`kind`, rejecting with `message`): its run fails, the error reported as unhandled. */
const unhandledRejection = (name: string, kind: FailureKind, message: string): Crash => ({
  name,
  modes: ALL,
  register: faulty(kind),
  setup: (t, mode) => {
    if (mode === 'inline') setAsideHostRejectionListeners(t);
  },
  expect({ victim, events, terminated }) {
    const error = onlyError(events, 'victim');
    assert.equal(error.phase, 'unhandled');
    assert.equal(error.error.name, 'UnhandledRejectionError');
    assert.ok(error.error.message.includes(message), error.error.message);
    assert.equal(error.error.cause?.message, message);
    assert.ok(error.error.cause?.stack?.includes(FIXTURE_FILE), error.error.cause?.stack);
    assert.equal(terminated.reason, 'failed');
    assert.equal(terminated.result, undefined);
    assert.equal(victim.result, undefined);
    assert.ok(deserializeError(victim.lastError!) instanceof UnhandledRejectionError);
  },
});

/**
 * The crash matrix: every way an agent can end badly, in every mode it applies to. Each case runs in
 * the same scene (see `failureScene`): the reason and events are checked here, the freed slot, the
 * untouched sibling and `join()` there, and the leftovers check after each case.
 */
const CRASHES: Crash[] = [
  {
    name: 'throws in setup',
    modes: ALL,
    register: faulty('setup'),
    expect({ victim, events, terminated }) {
      const error = onlyError(events, 'victim');
      assert.equal(error.phase, 'setup');
      assert.equal(error.error.name, 'TypeError');
      assert.equal(error.error.message, 'setup failed on purpose');
      assert.ok(error.error.stack?.includes(FIXTURE_FILE), error.error.stack);
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.error?.name, 'TypeError');
      assert.equal(victim.status, 'failed');
      const rebuilt = deserializeError(victim.lastError!);
      assert.ok(rebuilt instanceof TypeError);
      assert.equal(rebuilt.message, 'setup failed on purpose');
      assert.ok(rebuilt.stack?.includes(FIXTURE_FILE));
    },
  },
  {
    name: 'throws in its work',
    modes: ALL,
    register: faulty('work'),
    expect({ victim, events, terminated }) {
      const error = onlyError(events, 'victim');
      assert.equal(error.phase, 'work');
      assert.equal(error.error.name, 'RangeError');
      assert.equal(error.error.message, 'work failed on purpose');
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.result, undefined);
      assert.ok(victim.lastError?.stack?.includes(FIXTURE_FILE), victim.lastError?.stack);
      assert.ok(deserializeError(victim.lastError!) instanceof RangeError);
      assert.equal(victim.stateEvents.closed.isSet(), true, 'onClose ran: closed is set');
    },
  },
  unhandledRejection('leaves a promise rejection unhandled', 'rejection', 'nobody awaits this'),
  // It surfaces after the lifecycle ended: the run, which waits a turn for it, still fails.
  unhandledRejection(
    'leaves a promise rejection unhandled as its work returns',
    'late-rejection',
    'rejected as the work returned',
  ),
  {
    name: 'calls process.exit(3)',
    modes: ALL,
    register: faulty('exit'),
    expect({ victim, events, terminated }) {
      const error = onlyError(events, 'victim');
      assert.equal(error.error.name, 'AgentExitError');
      assert.match(error.error.message, /exited with code 3/);
      assert.equal(terminated.reason, 'failed');
      assert.equal(terminated.exitCode, 3);
      assert.equal(victim.state.status === 'failed' && victim.state.exitCode, 3);
      const rebuilt = deserializeError(victim.lastError!);
      assert.ok(rebuilt instanceof AgentExitError);
      assert.equal((rebuilt as AgentExitError).exitCode, 3);
    },
  },
  {
    // Only a process can be killed from outside; a thread or an inline agent has nothing an outsider
    // can signal, so for them the nearest case is the orchestrator's own forced kill (below).
    name: 'is killed from outside (SIGKILL)',
    modes: ['process'],
    register: (orchestrator, on) => orchestrator.registerAgent(WaitsForStop, { ...on, name: 'victim' }),
    async trigger(orchestrator, entry) {
      await victimRunning(orchestrator);
      const pid = entry.runtime?.pid;
      assert.ok(pid && pid !== process.pid, `a child pid, got ${pid}`);
      process.kill(pid, 'SIGKILL');
    },
    expect({ victim, events, terminated }) {
      const error = onlyError(events, 'victim');
      assert.equal(error.error.name, 'AgentKilledError');
      assert.match(error.error.message, /SIGKILL/);
      assert.equal(terminated.reason, 'killed');
      assert.equal(terminated.signal, 'SIGKILL');
      assert.equal(victim.state.status === 'failed' && victim.state.signal, 'SIGKILL');
      assert.ok(deserializeError(victim.lastError!) instanceof AgentKilledError);
    },
  },
  {
    name: 'is killed by the orchestrator (entry.kill(): abandon / worker terminate / SIGTERM)',
    modes: ALL,
    register: (orchestrator, on) => orchestrator.registerAgent(WaitsForStop, { ...on, name: 'victim' }),
    async trigger(orchestrator, entry) {
      await victimRunning(orchestrator);
      await entry.kill();
    },
    expect({ victim, events, terminated }, mode) {
      assert.deepEqual(
        events.of('agent:error', 'victim'),
        [],
        'a requested kill is a forced stop, not an error',
      );
      assert.equal(terminated.reason, 'killed');
      if (mode === 'process') assert.equal(terminated.signal, 'SIGTERM');
      assert.equal(victim.state.status === 'stopped' && victim.state.reason, 'killed');
      assert.deepEqual(
        events.of('agent:stopping', 'victim').map(({ forced }) => forced),
        [true],
      );
    },
  },
  {
    // Inline agents share the host's heap: a memory limit cannot apply to them.
    name: 'runs out of memory (resourceLimits.maxOldGenerationSizeMb)',
    modes: ['thread', 'process'],
    register: (orchestrator, on) =>
      orchestrator.registerAgent(Hog, {
        ...on,
        name: 'victim',
        resourceLimits: { maxOldGenerationSizeMb: 32 },
      }),
    setup: (t, mode) => {
      if (mode === 'process') t.mock.method(process.stderr, 'write', () => true); // V8's own OOM report
    },
    expect({ victim, events, terminated }, mode) {
      const error = onlyError(events, 'victim');
      assert.equal(
        error.error.code,
        mode === 'thread' ? 'ERR_WORKER_OUT_OF_MEMORY' : 'ERR_AGENT_OUT_OF_MEMORY',
      );
      assert.equal(terminated.reason, 'failed');
      assert.equal(victim.status, 'failed');
    },
  },
  {
    name: 'hangs and ignores its stop: forced after stopTimeout',
    modes: ALL,
    config: { stopTimeout: 150, killTimeout: 150 },
    register: (orchestrator, on) =>
      orchestrator.registerAgent(IgnoresStop, { ...on, name: 'victim', config: { ignoreSigterm: true } }),
    async trigger(orchestrator, entry) {
      await victimRunning(orchestrator);
      await entry.stop();
    },
    expect({ victim, events, terminated }, mode) {
      assert.deepEqual(events.of('agent:error', 'victim'), []);
      assert.equal(terminated.reason, 'killed');
      // A process that ignores SIGTERM gets SIGKILL after killTimeout.
      if (mode === 'process') assert.equal(terminated.signal, 'SIGKILL');
      assert.equal(victim.state.status === 'stopped' && victim.state.reason, 'killed');
      assert.deepEqual(
        events.of('agent:stopping', 'victim').map(({ forced }) => forced),
        [false, true],
        'first the graceful request, then the forced stop',
      );
    },
  },
];

for (const { name, ...placement } of PLACEMENTS) {
  const { mode } = placement;
  describe(`${name} agents: the crash matrix`, () => {
    for (const crash of CRASHES.filter(({ modes }) => modes.includes(mode))) {
      it(`${crash.name}: the right reason and events, slot freed, sibling untouched, join() returns, nothing left`, async (t) => {
        crash.setup?.(t, mode);
        const outcome = await failureScene(
          t,
          placement,
          (orchestrator) => crash.register(orchestrator, placement),
          crash.trigger && ((orchestrator, entry) => crash.trigger!(orchestrator, entry, mode)),
          crash.config,
        );
        crash.expect(outcome, mode);
        // Pooled threads and processes outlive the batch, idle, until shutdown (or their idle timeout).
        await outcome.orchestrator.shutdown();
        await assertNoLeftovers();
      });
    }

    if (mode !== 'inline') {
      it("junk the agent's own code posts on the channel it shares with the host is dropped", async (t) => {
        // Two of these threw in the orchestrator, uncaught (a log line that was a number, a
        // nested message without its event): the test run itself fails on an uncaught exception.
        const orchestrator = createOrchestrator(t);
        const entry = orchestrator.registerAgent(PostsJunk, placement);
        const errors = new EventLog(orchestrator);
        await orchestrator.start();
        await orchestrator.join();
        assert.equal(entry.status, 'completed');
        assert.equal(entry.result, 'real');
        assert.equal(errors.of('agent:error', entry.name).length, 0);
        await orchestrator.shutdown();
        await assertNoLeftovers();
      });
    }

    if (mode === 'process') {
      it('killing the host process (SIGKILL) ends its process agents too: no orphan is left', async () => {
        // The host's stdout is a pipe, and its process agent inherits it: the pipe ends only when
        // both have closed it, i.e. when the agent has exited too. No polling: that end is the event.
        const host = fork(
          fileURLToPath(new URL('../fixtures/host.ts', import.meta.url)),
          placement.reuse ? ['reuse'] : [],
          { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
        );
        const hostExited = once(host, 'exit');
        const pipeEnded = once(host.stdout!.resume(), 'end');
        const [{ agentPid }] = (await once(host, 'message')) as [{ agentPid: number }];
        assert.ok(isRunning(agentPid), 'the agent runs while its host does');

        host.kill('SIGKILL');
        await hostExited;
        // The agent notices its IPC channel closing and exits, which closes its end of the pipe.
        await pipeEnded;
        // Its files close a moment before the kernel marks it exited: let that last step land.
        const deadline = performance.now() + 5_000;
        while (isRunning(agentPid) && performance.now() < deadline) await nextTurn();
        assert.equal(isRunning(agentPid), false, `agent process ${agentPid} outlived its host`);
      });
    }

    itLeavesNothingBehind();
  });
}
