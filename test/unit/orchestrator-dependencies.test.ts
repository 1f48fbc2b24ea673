import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OneShotAgent } from '../../src/agents/one-shot-agent.ts';
import { DependencyError, InvalidOptionError, OrchestratorError } from '../../src/errors.ts';
import type { AnyOrchestratorEvent } from '../../src/events/event-map.ts';
import { Orchestrator } from '../../src/orchestrator/orchestrator.ts';

class Named extends OneShotAgent<Record<string, never>, string> {
  execute(): string {
    return this.name;
  }
}

function setup(names: string[] = []) {
  const orchestrator = new Orchestrator({ logLevel: 'silent', handleSignals: false });
  const events: AnyOrchestratorEvent[] = [];
  orchestrator.on('*', (event) => events.push(event));
  for (const name of names) orchestrator.registerAgent(Named, { name });
  return { orchestrator, events };
}

const isInvalidOption = (option: string, value: unknown, allowed: RegExp) => (error: unknown) =>
  error instanceof InvalidOptionError &&
  error.option === option &&
  error.value === value &&
  allowed.test(error.message);

describe('Orchestrator dependencies: declaring and validating', () => {
  test('addDependency refuses an unknown agent on either side, naming it; nothing is added', () => {
    const { orchestrator } = setup(['a', 'b']);
    assert.throws(
      () => orchestrator.addDependency('a', ['b', 'ghost']),
      (error: unknown) =>
        error instanceof OrchestratorError &&
        error.code === 'ERR_UNKNOWN_AGENT' &&
        /"a" cannot depend on "ghost" \(a\.dependsOn\.1\)/.test(error.message) &&
        /one of: a, b/.test(error.message),
    );
    assert.deepEqual(orchestrator.getAgent('a').dependsOn, []);
    assert.throws(
      () => orchestrator.addDependency('nobody', ['a']),
      (error: unknown) => error instanceof OrchestratorError && error.code === 'ERR_UNKNOWN_AGENT',
    );
  });

  test('a self-dependency is refused at registration and by addDependency', () => {
    const { orchestrator } = setup(['a']);
    assert.throws(
      () => orchestrator.registerAgent(Named, { name: 'selfish', dependsOn: ['a', 'selfish'] }),
      isInvalidOption('options.dependsOn.1', 'selfish', /cannot depend on itself/),
    );
    assert.throws(
      () => orchestrator.addDependency('a', 'a'),
      isInvalidOption('a.dependsOn.0', 'a', /cannot depend on itself/),
    );
  });

  test('a bad dependency entry or condition is refused, naming the field and the value', () => {
    const { orchestrator } = setup(['a']);
    assert.throws(
      () =>
        orchestrator.registerAgent(Named, {
          name: 'b',
          dependsOn: [{ agent: 'a', condition: 'done' as never }],
        }),
      isInvalidOption('options.dependsOn.0.condition', 'done', /"started", "ready", "completed"/),
    );
    assert.throws(
      () => orchestrator.registerAgent(Named, { name: 'b', dependsOn: 'a' as never }),
      isInvalidOption('options.dependsOn', 'a', /an array of agent names/),
    );
    assert.throws(
      () => orchestrator.addDependency('a', [42 as never]),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.option === 'a.dependsOn.0' && error.value === 42,
    );
  });

  test('start() refuses missing agents and cycles before anything runs, listing each', async () => {
    const { orchestrator, events } = setup();
    orchestrator.registerAgent(Named, { name: 'a', dependsOn: ['c'] });
    orchestrator.registerAgent(Named, { name: 'b', dependsOn: ['a', 'nowhere'] });
    orchestrator.registerAgent(Named, { name: 'c', dependsOn: ['b'] });
    orchestrator.registerAgent(Named, { name: 'd', dependsOn: ['missing'] });
    orchestrator.registerAgent(Named, { name: 'ok' });

    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof DependencyError);
      assert.deepEqual(error.missing, [
        { agent: 'b', dependsOn: 'nowhere' },
        { agent: 'd', dependsOn: 'missing' },
      ]);
      assert.deepEqual(error.cycles, [['a', 'c', 'b', 'a']]);
      assert.match(error.message, /cycle: a -> c -> b -> a/);
      return true;
    });
    assert.deepEqual(
      orchestrator.agents().map((entry) => entry.status),
      ['registered', 'registered', 'registered', 'registered', 'registered'],
    );
    assert.deepEqual(
      events.map((event) => event.type),
      Array(5).fill('agent:registered'),
    );
    assert.throws(() => orchestrator.validateDependencies(), DependencyError);
  });

  test('validateDependencies() returns every agent, dependencies first', () => {
    const { orchestrator } = setup();
    orchestrator.registerAgent(Named, { name: 'report', dependsOn: ['load'] });
    orchestrator.registerAgent(Named, { name: 'extract' });
    orchestrator.registerAgent(Named, {
      name: 'load',
      dependsOn: [{ agent: 'extract', condition: 'completed' }],
    });
    assert.deepEqual(orchestrator.validateDependencies(), ['extract', 'load', 'report']);
    assert.deepEqual(orchestrator.getAgent('load').dependsOn, [{ agent: 'extract', condition: 'completed' }]);
  });

  test('a priority that is not a number, and a bad maxWorkers, are refused naming field and value', () => {
    const { orchestrator } = setup();
    assert.throws(
      () => orchestrator.registerAgent(Named, { name: 'p', priority: 'high' as never }),
      isInvalidOption('options.priority', 'high', /a finite number/),
    );
    assert.throws(
      () => orchestrator.registerAgent(Named, { name: 'p', priority: Number.NaN }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'options.priority',
    );
    for (const bad of [-1, 0, 1.5]) {
      assert.throws(
        () => new Orchestrator({ maxWorkers: bad }),
        isInvalidOption('maxWorkers', bad, /positive integer/),
      );
      assert.throws(
        () => {
          orchestrator.maxWorkers = bad;
        },
        isInvalidOption('maxWorkers', bad, /positive integer/),
      );
    }
    assert.equal(orchestrator.maxWorkers, Number.POSITIVE_INFINITY);
  });

  test('dependencies run in order inline, and each result is there when its dependent starts', async () => {
    const { orchestrator, events } = setup();
    const seen: string[] = [];
    orchestrator.on('agent:started', ({ agent }) => {
      const dependencies = orchestrator.getAgent(agent).dependsOn;
      for (const { agent: dependency } of dependencies)
        seen.push(`${agent} saw ${orchestrator.getAgent(dependency).result}`);
    });
    orchestrator.registerAgent(Named, { name: 'c', dependsOn: [{ agent: 'b', condition: 'completed' }] });
    orchestrator.registerAgent(Named, { name: 'b', dependsOn: [{ agent: 'a', condition: 'completed' }] });
    orchestrator.registerAgent(Named, { name: 'a' });
    await orchestrator.start();
    await orchestrator.join();
    assert.deepEqual(seen, ['b saw a', 'c saw b']);
    assert.equal(events.filter((event) => event.type === 'orchestrator:all-agents-terminated').length, 1);
  });
});
