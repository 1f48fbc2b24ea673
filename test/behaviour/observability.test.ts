import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, OrchestratorError, SharedEvent } from '../../src/index.ts';
import { Doubler, Faulty, WaitsForStop } from '../fixtures/agents.ts';
import { nextEventOf } from '../helpers/events.ts';
import { itLeavesNothingBehind } from '../helpers/leftovers.ts';
import { createOrchestrator, PLACEMENTS } from '../helpers/orchestrator.ts';

for (const { name, mode, reuse } of PLACEMENTS) {
  describe(`${name} agents: status, stats and history`, () => {
    it('status() reports state, pid / threadId, start time, uptime and what waiting agents wait for', async (t) => {
      const orchestrator = createOrchestrator(t, { maxWorkers: 1 });
      orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'service' });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'queued' });
      orchestrator.registerAgent(Doubler, { mode, reuse, name: 'dependent', dependsOn: ['queued'] });
      const running = nextEventOf(orchestrator, 'agent:running', 'service');
      const before = Date.now();
      await orchestrator.start();
      await running;

      const [service, queued, dependent] = orchestrator.status();
      assert.equal(service?.state, 'running');
      assert.equal(service?.mode, mode);
      if (mode === 'process') assert.notEqual(service?.pid, process.pid);
      else assert.equal(service?.pid, process.pid);
      assert.equal(service?.threadId !== undefined, mode === 'thread');
      assert.ok(service?.startedAt !== undefined && service.startedAt >= before);
      assert.ok(service?.uptimeMs !== undefined && service.uptimeMs >= 0);
      assert.equal(service?.restarts, 0);
      assert.deepEqual([queued?.state, queued?.waitingFor], ['waiting', 'a slot']);
      assert.deepEqual([dependent?.state, dependent?.waitingFor], ['waiting', 'queued (ready)']);
      // The same row by name (uptime aside: the clock may tick between the two calls).
      const { uptimeMs: _one, ...byName } = orchestrator.status('service');
      const { uptimeMs: _other, ...inList } = service!;
      assert.deepEqual(byName, inList);

      const table = orchestrator.report();
      assert.match(table, /AGENT.*STATE.*MODE.*PID.*THREAD.*UPTIME.*RESTARTS.*EXIT/);
      assert.match(table, /service .*running .*/);
      assert.match(table, /dependent .*waiting .*waiting for queued \(ready\)/);
      await orchestrator.stop();
    });

    it('after a failure, status() keeps the exit and the last error; pid and uptime are gone', async (t) => {
      const orchestrator = createOrchestrator(t);
      orchestrator.registerAgent(Faulty, { mode, reuse, name: 'exits', config: { kind: 'exit' } });
      await orchestrator.start();
      await orchestrator.join();
      const status = orchestrator.status('exits');
      assert.equal(status.state, 'failed');
      assert.equal(status.pid, undefined);
      assert.equal(status.uptimeMs, undefined);
      assert.equal(status.exitCode, 3);
      assert.match(status.lastError ?? '', /AgentExitError: .*code 3/);
      assert.match(orchestrator.report(), /exits .*failed .*exit code 3 .*AgentExitError/);
    });

    it('getAgentStats() counts starts, restarts and failures, times runs, and keeps the history in order', async (t) => {
      const orchestrator = createOrchestrator(t);
      const entry = orchestrator.registerAgent(Faulty, {
        mode,
        reuse,
        name: 'flaky',
        config: { kind: 'work' },
      });
      await orchestrator.start();
      await orchestrator.join();
      await entry.restart();
      await orchestrator.join();

      const stats = orchestrator.getAgentStats('flaky');
      assert.deepEqual(stats.counts, {
        starts: 2,
        restarts: 1,
        completed: 0,
        stopped: 0,
        failed: 2,
        killed: 0,
        skipped: 0,
        errors: 2,
      });
      assert.equal(stats.runTimes.runs, 2);
      assert.ok(stats.runTimes.minMs !== null && stats.runTimes.minMs > 0);
      assert.ok(stats.runTimes.maxMs! >= stats.runTimes.minMs!);
      assert.equal(stats.runTimes.totalMs, stats.runTimes.meanMs! * 2);
      const run = ['start', 'ready', 'error', 'terminated', 'join'];
      assert.deepEqual(
        stats.history.map(({ event }) => event),
        ['registered', ...run, 'restart', ...run],
      );
      const timestamps = stats.history.map(({ timestamp }) => timestamp);
      assert.deepEqual(
        timestamps,
        [...timestamps].sort((a, b) => a - b),
      );
      assert.match(
        stats.history.find(({ event }) => event === 'error')?.detail ?? '',
        /work: RangeError: work failed on purpose/,
      );
      assert.match(stats.history.find(({ event }) => event === 'terminated')?.detail ?? '', /^failed/);
    });

    it('groups: start, stop and restart a whole group', async (t) => {
      const orchestrator = createOrchestrator(t);
      const gate = new SharedEvent();
      const a = orchestrator.registerAgent(WaitsForStop, { mode, reuse, name: 'a', groups: ['web'] });
      const b = orchestrator.registerAgent(WaitsForStop, {
        mode,
        reuse,
        name: 'b',
        controlEvents: { setup: gate },
      });
      const other = orchestrator.registerAgent(Doubler, { mode, reuse, name: 'other' });
      orchestrator.addToGroup('web', ['b']);
      assert.deepEqual(orchestrator.groups(), { web: ['a', 'b'] });
      assert.deepEqual(
        orchestrator.getGroup('web').map((entry) => entry.name),
        ['a', 'b'],
      );

      const aRunning = nextEventOf(orchestrator, 'agent:running', 'a');
      await orchestrator.startGroup('web');
      await aRunning;
      assert.equal(other.status, 'registered');
      gate.set();

      const restarted = nextEventOf(orchestrator, 'agent:running', 'b');
      await orchestrator.restartGroup('web');
      await restarted;
      assert.deepEqual([a.restarts, b.restarts], [1, 1]);

      await orchestrator.stopGroup('web');
      assert.deepEqual([a.status, b.status, other.status], ['stopped', 'stopped', 'registered']);

      orchestrator.removeFromGroup('web', ['a', 'b']);
      assert.deepEqual(orchestrator.groups(), {});
    });

    itLeavesNothingBehind();
  });
}

describe('events: bad subscriptions', () => {
  it('on, once and off refuse an event the map does not have, and a listener that is not a function', async (t) => {
    const orchestrator = createOrchestrator(t);
    const option = (name: string, shown: RegExp) => (error: unknown) =>
      error instanceof InvalidOptionError && error.option === name && shown.test(error.message);
    // A misspelt event never fired; a listener that was not a function failed at every event.
    const listener = () => {};
    assert.throws(
      () => orchestrator.on('agent:terminate' as never, listener),
      option('event', /agent:terminated/),
    );
    assert.throws(() => orchestrator.once('*' as never, listener), option('event', /received "\*"/));
    assert.throws(() => orchestrator.off('nope' as never, listener), option('event', /'\*' or one of/));
    for (const bad of [5, null, 'x', {}]) {
      assert.throws(() => orchestrator.on('agent:started', bad as never), option('listener', /a function/));
      assert.throws(() => orchestrator.once('agent:started', bad as never), option('listener', /a function/));
      assert.throws(() => orchestrator.on('*', bad as never), option('listener', /a function/));
    }
    // What was refused was not added: an agent still runs with no listener failing.
    const seen: string[] = [];
    orchestrator.on('agent:terminated', ({ agent }) => seen.push(agent));
    orchestrator.registerAgent(Doubler, { name: 'one' });
    await orchestrator.start();
    await orchestrator.join();
    assert.deepEqual(seen, ['one']);
  });
});

describe('status, stats and groups: bad input', () => {
  it('unknown agents or groups are refused with clear errors and nothing changes', (t) => {
    const orchestrator = createOrchestrator(t);
    orchestrator.registerAgent(Doubler, { name: 'one' });
    orchestrator.addToGroup('g', ['one']);
    const unknownAgent = (error: unknown) =>
      error instanceof OrchestratorError &&
      error.code === 'ERR_UNKNOWN_AGENT' &&
      /"ghost"/.test(error.message);
    assert.throws(() => orchestrator.addToGroup('g', ['one', 'ghost']), unknownAgent);
    assert.throws(() => orchestrator.addToGroup('new', ['ghost']), unknownAgent);
    assert.deepEqual(orchestrator.groups(), { g: ['one'] });
    assert.throws(() => orchestrator.removeFromGroup('g', ['ghost']), unknownAgent);
    assert.throws(
      () => orchestrator.getGroup('nope'),
      (error: unknown) =>
        error instanceof OrchestratorError &&
        error.code === 'ERR_UNKNOWN_GROUP' &&
        /one of: g/.test(error.message),
    );
    assert.throws(() => orchestrator.addToGroup('', ['one']), /Invalid option "group": received ""/);
    assert.throws(() => orchestrator.getAgentStats('ghost'), unknownAgent);
    assert.throws(() => orchestrator.status('ghost'), unknownAgent);
    assert.throws(
      () => orchestrator.registerAgent(Doubler, { name: 'two', groups: [''] }),
      /Invalid option "options.groups.0"/,
    );
    assert.deepEqual(orchestrator.groups(), { g: ['one'] });
  });

  it('historySize bounds each history, counting what was dropped', async (t) => {
    const orchestrator = createOrchestrator(t, { historySize: 4 });
    const entry = orchestrator.registerAgent(Doubler, { name: 'short' });
    for (let run = 0; run < 3; run++) {
      await entry.restart();
      await entry.join();
    }
    const stats = orchestrator.getAgentStats('short');
    assert.equal(stats.history.length, 4);
    assert.deepEqual(
      stats.history.map(({ event }) => event),
      ['start', 'ready', 'terminated', 'join'],
    );
    assert.equal(stats.historyDropped, 1 + 4 + 5 * 2 - 4);
    assert.equal(stats.counts.starts, 3);
    assert.throws(
      () => createOrchestrator(t, { historySize: 0 }),
      /Invalid option "historySize": received 0/,
    );
  });

  it('historySize bounds every history alike when thousands of steps of many agents interleave', async (t) => {
    // The same batch twice: histories kept whole, and kept to the last 3 steps. 1,000 agents, half
    // of them run again: ~9,000 steps, so the short histories' shared log (4,096 a chunk) compacts.
    const batch = async (historySize: number) => {
      const orchestrator = createOrchestrator(t, { historySize, maxWorkers: 8 });
      const entries = Array.from({ length: 1000 }, (_, index) =>
        orchestrator.registerAgent(Doubler, { name: `a${index}`, config: { value: index } }),
      );
      await orchestrator.start();
      await orchestrator.join();
      await Promise.all(entries.filter((_, index) => index % 2 === 0).map((entry) => entry.restart()));
      await orchestrator.join();
      return entries.map((entry) => orchestrator.getAgentStats(entry.name));
    };
    const whole = await batch(1000);
    const short = await batch(3);
    for (const [index, full] of whole.entries()) {
      const kept = short[index]!;
      assert.equal(full.historyDropped, 0);
      assert.deepEqual(
        kept.history.map(({ event, detail }) => [event, detail]),
        full.history.slice(-3).map(({ event, detail }) => [event, detail]),
        full.name,
      );
      assert.equal(kept.historyDropped, full.history.length - 3, full.name);
      assert.deepEqual(kept.counts, full.counts);
      assert.equal(kept.runTimes.runs, index % 2 === 0 ? 2 : 1);
    }
  });
});
