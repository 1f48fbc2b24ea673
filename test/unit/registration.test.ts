import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OneShotAgent } from '../../src/agents/one-shot-agent.ts';
import { AgentLoadError, InvalidOptionError, OrchestratorError } from '../../src/errors.ts';
import { Orchestrator } from '../../src/orchestrator/orchestrator.ts';
import {
  CallbackPlugin,
  CountingPlugin,
  hiddenAgentClass,
  InheritsModule,
  LoadableAgent,
  RemoteModuleAgent,
} from './fixtures/loadable.ts';

function makeOrchestrator(): Orchestrator {
  return new Orchestrator({ logLevel: 'silent', handleSignals: false });
}

/** Not exported and declares no module: fine inline, not loadable in a thread or process. */
class InlineOnly extends OneShotAgent<Record<string, unknown>, string> {
  execute(): string {
    return 'inline';
  }
}

/** A subclass defined here: it inherits `module` from LoadableAgent, whose module does not export it. */
class LocalSubclass extends LoadableAgent {}

/** A plugin class that declares no module. */
class LocalPlugin {
  init(): void {}
}

function isCode(code: string) {
  return (error: unknown) => error instanceof OrchestratorError && error.code === code;
}

describe('registerAgent', () => {
  test('returns an entry named after the class, in inline mode by default, and emits AGENT_REGISTERED', () => {
    const orchestrator = makeOrchestrator();
    const seen: unknown[] = [];
    orchestrator.on('agent:registered', (payload) => seen.push(payload));
    const entry = orchestrator.registerAgent(InlineOnly);
    assert.equal(entry.name, 'InlineOnly');
    assert.equal(entry.mode, 'inline');
    assert.equal(entry.status, 'registered');
    assert.equal(entry.AgentClass, InlineOnly);
    assert.equal(orchestrator.getAgent('InlineOnly'), entry);
    assert.deepEqual(orchestrator.agents(), [entry]);
    assert.equal(seen.length, 1);
    assert.deepEqual(
      { ...(seen[0] as object), timestamp: 0 },
      { agent: 'InlineOnly', mode: 'inline', timestamp: 0 },
    );
  });

  test('a duplicate name is refused with ERR_DUPLICATE_AGENT; another name is fine', () => {
    const orchestrator = makeOrchestrator();
    orchestrator.registerAgent(InlineOnly);
    assert.throws(
      () => orchestrator.registerAgent(InlineOnly),
      (error: unknown) =>
        isCode('ERR_DUPLICATE_AGENT')(error) && (error as Error).message.includes('"InlineOnly"'),
    );
    assert.throws(
      () => orchestrator.registerAgent(LoadableAgent, { name: 'InlineOnly' }),
      isCode('ERR_DUPLICATE_AGENT'),
    );
    assert.equal(orchestrator.registerAgent(InlineOnly, { name: 'second' }).name, 'second');
    assert.equal(orchestrator.agents().length, 2);
  });

  test('a name containing "/" is refused', () => {
    const orchestrator = makeOrchestrator();
    assert.throws(
      () => orchestrator.registerAgent(InlineOnly, { name: 'a/b' }),
      (error: unknown) =>
        error instanceof InvalidOptionError &&
        error.code === 'ERR_INVALID_OPTION' &&
        error.option === 'options.name' &&
        error.value === 'a/b' &&
        error.message.includes('"a/b"') &&
        error.message.includes('without "/"'),
    );
    assert.throws(
      () => orchestrator.registerAgent(InlineOnly, { name: '' }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'options.name',
    );
    assert.equal(orchestrator.agents().length, 0);
  });

  test('an anonymous class without a name option is refused', {}, () => {
    const orchestrator = makeOrchestrator();
    const anonymous = [
      class extends OneShotAgent {
        execute(): void {}
      },
    ][0]!;
    assert.equal(anonymous.name, '');
    assert.throws(
      () => orchestrator.registerAgent(anonymous),
      (error: unknown) => error instanceof InvalidOptionError,
    );
  });

  test('mode "fiber" is refused naming options.mode and the allowed modes', () => {
    const orchestrator = makeOrchestrator();
    assert.throws(
      () => orchestrator.registerAgent(LoadableAgent, { mode: 'fiber' as never }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.code, 'ERR_INVALID_OPTION');
        assert.equal(error.option, 'options.mode');
        assert.equal(error.value, 'fiber');
        assert.match(error.message, /"options\.mode"/);
        assert.match(error.message, /received "fiber"/);
        assert.match(error.message, /"inline", "thread", "process"/);
        return true;
      },
    );
  });

  test('other invalid options are refused naming the field', () => {
    const orchestrator = makeOrchestrator();
    const cases: [object, string][] = [
      [{ priority: Number.NaN }, 'options.priority'],
      [{ priority: '1' }, 'options.priority'],
      [{ config: [] }, 'options.config'],
      [{ plugins: {} }, 'options.plugins'],
      [{ ignoreConfigErrors: 'yes' }, 'options.ignoreConfigErrors'],
      [{ logLevel: 'loud' }, 'options.logLevel'],
      [{ controlEvents: { setup: true } }, 'options.controlEvents.setup'],
      [{ controlEvents: { ready: undefined } }, 'options.controlEvents.ready'],
      [{ resourceLimits: { maxOldGenerationSizeMb: 64 } }, 'options.resourceLimits'],
      [{ colour: 'red' }, 'options.colour'],
    ];
    for (const [options, option] of cases) {
      assert.throws(
        () => orchestrator.registerAgent(InlineOnly, options as never),
        (error: unknown) => error instanceof InvalidOptionError && error.option === option,
        option,
      );
    }
    assert.equal(orchestrator.agents().length, 0);
  });

  test('options with only a name and a config are checked as the whole schema checks them', () => {
    // Such options take a shorter way through registration (the commonest by far); one more valid
    // option (priority 0, the default) sends the same name and config the whole schema's way.
    const refusal = (options: object) => {
      try {
        makeOrchestrator().registerAgent(InlineOnly, options as never);
      } catch (error) {
        assert.ok(error instanceof InvalidOptionError);
        return { option: error.option, value: error.value, message: error.message };
      }
      return assert.fail(`accepted ${JSON.stringify(options)}`);
    };
    const bad: object[] = [
      { name: 5 },
      { name: '' },
      { name: 'a/b' },
      { name: null },
      { config: [] },
      { config: 'x' },
      { name: 'ok', config: null },
      { name: 'ok', config: new Map() },
    ];
    for (const options of bad) assert.deepEqual(refusal(options), refusal({ ...options, priority: 0 }));

    const orchestrator = makeOrchestrator();
    const short = orchestrator.registerAgent(InlineOnly, { name: 'short', config: { label: 'x' } });
    const long = orchestrator.registerAgent(InlineOnly, {
      name: 'long',
      config: { label: 'x' },
      priority: 0,
    });
    const seen = (entry: typeof short) => ({
      mode: entry.mode,
      config: entry.config,
      plugins: entry.plugins,
      status: { ...orchestrator.status(entry.name), name: undefined },
    });
    assert.deepEqual(seen(short), seen(long));
    assert.deepEqual(short.options, { name: 'short', config: { label: 'x' } });
  });

  test('entry.options is a frozen copy of the options given: changing them after registration changes nothing', () => {
    const orchestrator = makeOrchestrator();
    const config = { label: 'x' };
    // One options object reused for every registration, as a loop might.
    const shared: { name: string; config: object; priority?: number } = { name: 'first', config };
    const first = orchestrator.registerAgent(InlineOnly, shared);
    shared.name = 'second';
    shared.priority = 1; // the full path: more than a name and a config
    const second = orchestrator.registerAgent(InlineOnly, shared);
    shared.name = 'third';
    shared.config = { label: 'y' };
    for (const [entry, expected] of [
      [first, { name: 'first', config }],
      [second, { name: 'second', config, priority: 1 }],
    ] as const) {
      assert.deepEqual(entry.options, expected);
      assert.ok(Object.isFrozen(entry.options));
      assert.notEqual(entry.options, shared);
      assert.equal(entry.options.config, config, 'the config given, itself (a shallow copy)');
    }
    assert.deepEqual(orchestrator.registerAgent(InlineOnly).options, {});
    assert.deepEqual(orchestrator.registerAgent(InlineOnly, { name: 'named' }).options, { name: 'named' });
  });

  test('something that is not an agent class is refused', () => {
    const orchestrator = makeOrchestrator();
    for (const value of [undefined, {}, () => {}, class NotAnAgent {}]) {
      assert.throws(
        () => orchestrator.registerAgent(value as never),
        (error: unknown) => error instanceof InvalidOptionError && error.option === 'AgentClass',
      );
    }
  });

  test('agents registered without plugins share one frozen empty list; given plugins stay their own', () => {
    const orchestrator = makeOrchestrator();
    const [a, b] = ['a', 'b'].map((name) => orchestrator.registerAgent(InlineOnly, { name }));
    const given = orchestrator.registerAgent(InlineOnly, {
      name: 'c',
      plugins: [new CountingPlugin()],
    });
    // What 100,000 agents would otherwise each keep a copy of (bench/probes.ts (f)).
    assert.equal(a!.plugins, b!.plugins);
    assert.ok(Object.isFrozen(a!.plugins) && a!.plugins.length === 0);
    assert.throws(() => (a!.plugins as unknown[]).push(new CountingPlugin()), TypeError);
    assert.equal(given.plugins.length, 1, "given plugins are the agent's own");
    assert.notEqual(given.plugins, a!.plugins);
  });

  test('registering after shutdown is refused with ERR_SHUT_DOWN', async () => {
    const orchestrator = makeOrchestrator();
    await orchestrator.shutdown();
    assert.throws(() => orchestrator.registerAgent(InlineOnly), isCode('ERR_SHUT_DOWN'));
  });
});

describe('unknown agent names', () => {
  test('getAgent, stop and restart refuse an unknown name with ERR_UNKNOWN_AGENT naming the known agents', async () => {
    const orchestrator = makeOrchestrator();
    orchestrator.registerAgent(InlineOnly, { name: 'alpha' });
    orchestrator.registerAgent(InlineOnly, { name: 'beta' });
    const check = (error: unknown) => {
      assert.ok(error instanceof OrchestratorError);
      assert.equal(error.code, 'ERR_UNKNOWN_AGENT');
      assert.match(error.message, /"gamma"/);
      assert.match(error.message, /alpha, beta/);
      return true;
    };
    assert.throws(() => orchestrator.getAgent('gamma'), check);
    await assert.rejects(orchestrator.stop('gamma'), check);
    await assert.rejects(orchestrator.restart('gamma'), check);
  });

  test('with nothing registered the error says so', () => {
    const orchestrator = makeOrchestrator();
    assert.throws(
      () => orchestrator.getAgent('x'),
      (error: unknown) =>
        isCode('ERR_UNKNOWN_AGENT')(error) && /none are registered/.test((error as Error).message),
    );
  });

  test('a name that is not a string is refused as unknown, naming the value, by every call taking one', async () => {
    const orchestrator = makeOrchestrator();
    orchestrator.registerAgent(InlineOnly, { name: 'alpha' });
    orchestrator.addToGroup('g', ['alpha']);
    // Values JSON cannot render (a bigint threw a TypeError while the message was written) or that
    // have no indexOf (status() took every name for a string).
    const names: [unknown, RegExp][] = [
      [42, /named 42 /],
      [null, /named null /],
      [{ a: 1 }, /named \{"a":1\} /],
      [10n, /named 10n /],
      [Symbol('s'), /named Symbol\(s\) /],
    ];
    for (const [name, shown] of names) {
      const unknown = (error: unknown) =>
        isCode('ERR_UNKNOWN_AGENT')(error) && shown.test((error as Error).message);
      const given = name as string;
      assert.throws(() => orchestrator.getAgent(given), unknown, String(name));
      assert.throws(() => orchestrator.status(given), unknown, String(name));
      assert.throws(() => orchestrator.getAgentStats(given), unknown, String(name));
      assert.throws(() => orchestrator.addDependency(given, ['alpha']), unknown, String(name));
      assert.throws(() => orchestrator.addToGroup('g', [given]), unknown, String(name));
      await assert.rejects(orchestrator.stop(given), unknown, String(name));
      await assert.rejects(orchestrator.restart(given), unknown, String(name));
      await assert.rejects(orchestrator.kill(given), unknown, String(name));
    }
    assert.throws(
      () => orchestrator.getGroup(10n as unknown as string),
      (error: unknown) => isCode('ERR_UNKNOWN_GROUP')(error) && /named 10n /.test((error as Error).message),
    );
  });

  test('report() refuses a destination without write(), naming it', () => {
    const orchestrator = makeOrchestrator();
    orchestrator.registerAgent(InlineOnly, { name: 'alpha' });
    for (const out of [null, 'stdout', {}, { write: 'no' }]) {
      assert.throws(
        () => orchestrator.report(out as never),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === 'out' &&
          /write\(text\) method/.test(error.message),
        String(out),
      );
    }
    let written = '';
    const table = orchestrator.report({ write: (text: string) => (written += text) });
    assert.equal(written, `${table}\n`);
    assert.match(table, /alpha/);
  });

  test('kill() with an unknown name rejects instead of throwing synchronously', {}, async () => {
    const orchestrator = makeOrchestrator();
    let promise: Promise<void> | undefined;
    assert.doesNotThrow(() => {
      promise = orchestrator.kill('nope');
    });
    await assert.rejects(promise!, isCode('ERR_UNKNOWN_AGENT'));
  });
});

describe('loadability in thread and process mode', () => {
  for (const mode of ['thread', 'process'] as const) {
    test(`${mode}: an exported class declaring its module is accepted`, () => {
      const orchestrator = makeOrchestrator();
      const entry = orchestrator.registerAgent(LoadableAgent, { mode });
      assert.equal(entry.mode, mode);
      assert.equal(entry.status, 'registered');
    });

    test(`${mode}: a class without static module is refused saying what to add`, () => {
      const orchestrator = makeOrchestrator();
      assert.throws(
        () => orchestrator.registerAgent(InlineOnly, { mode }),
        (error: unknown) => {
          assert.ok(error instanceof AgentLoadError);
          assert.equal(error.code, 'ERR_AGENT_NOT_LOADABLE');
          assert.match(error.message, /InlineOnly/);
          assert.match(error.message, new RegExp(`${mode} mode`));
          assert.ok(error.message.includes('static readonly module = import.meta.url'), error.message);
          assert.doesNotMatch(error.message, /inherits/);
          return true;
        },
      );
      assert.equal(orchestrator.agents().length, 0);
    });

    test(`${mode}: a subclass that only inherits module is refused, saying it inherits`, () => {
      const orchestrator = makeOrchestrator();
      for (const Class of [LocalSubclass, InheritsModule]) {
        assert.throws(
          () => orchestrator.registerAgent(Class, { mode }),
          (error: unknown) => {
            assert.ok(error instanceof AgentLoadError);
            assert.equal(error.code, 'ERR_AGENT_NOT_LOADABLE');
            assert.ok(error.message.includes(Class.name), error.message);
            assert.match(error.message, /inherits "module" from a parent class/);
            assert.ok(error.message.includes('static readonly module = import.meta.url'), error.message);
            return true;
          },
          Class.name,
        );
      }
    });

    test(`${mode}: a class its module does not export is refused, saying to add "export"`, () => {
      const orchestrator = makeOrchestrator();
      const Hidden = hiddenAgentClass();
      assert.throws(
        () => orchestrator.registerAgent(Hidden, { mode }),
        (error: unknown) => {
          assert.ok(error instanceof AgentLoadError);
          assert.equal(error.code, 'ERR_AGENT_NOT_LOADABLE');
          assert.match(error.message, /loadable\.ts does not export it/);
          assert.ok(error.message.includes('Add "export" before "class HiddenAgent"'), error.message);
          return true;
        },
      );
    });

    test(`${mode}: a module that is not a file: URL is refused`, () => {
      const orchestrator = makeOrchestrator();
      assert.throws(
        () => orchestrator.registerAgent(RemoteModuleAgent, { mode }),
        (error: unknown) =>
          error instanceof AgentLoadError &&
          /must be a file: URL/.test(error.message) &&
          /https:/.test(error.message),
      );
    });

    test(`${mode}: a module of any other type is refused, naming the value`, () => {
      const orchestrator = makeOrchestrator();
      // JSON cannot render a bigint: the message threw a TypeError while it was written.
      class BigintModuleAgent extends InlineOnly {
        static readonly module = 10n as unknown as string;
      }
      assert.throws(
        () => orchestrator.registerAgent(BigintModuleAgent, { mode }),
        (error: unknown) =>
          error instanceof AgentLoadError && /must be a file: URL, received 10n\./.test(error.message),
      );
    });

    test(`${mode}: a plugin whose class declares no module is refused`, () => {
      const orchestrator = makeOrchestrator();
      assert.throws(
        () => orchestrator.registerAgent(LoadableAgent, { mode, plugins: [new LocalPlugin()] }),
        (error: unknown) =>
          error instanceof AgentLoadError &&
          /Plugin class LocalPlugin/.test(error.message) &&
          error.message.includes('static readonly module = import.meta.url'),
      );
    });

    test(`${mode}: a plugin with a function field is refused at registration`, () => {
      const orchestrator = makeOrchestrator();
      assert.throws(
        () =>
          orchestrator.registerAgent(LoadableAgent, {
            mode,
            plugins: [new CountingPlugin(), new CallbackPlugin()],
          }),
        (error: unknown) => {
          assert.ok(error instanceof InvalidOptionError);
          assert.equal(error.code, 'ERR_INVALID_OPTION');
          assert.equal(error.option, 'options.plugins[1]');
          assert.match(error.message, /"options\.plugins\[1\]"/);
          assert.match(error.message, /structured-cloned/);
          return true;
        },
      );
      assert.equal(orchestrator.agents().length, 0);
    });

    test(`${mode}: a loadable plugin with plain fields is accepted`, () => {
      const orchestrator = makeOrchestrator();
      const plugin = new CountingPlugin();
      const entry = orchestrator.registerAgent(LoadableAgent, { mode, plugins: [plugin] });
      assert.deepEqual(entry.plugins, [plugin]);
    });

    test(`${mode}: a config value that cannot be cloned is refused at start, naming the field`, async () => {
      const orchestrator = makeOrchestrator();
      const started: string[] = [];
      orchestrator.on('agent:started', (payload) => started.push(payload.agent));
      orchestrator.on('agent:queued', (payload) => started.push(payload.agent));
      const inline = orchestrator.registerAgent(InlineOnly);
      const entry = orchestrator.registerAgent(LoadableAgent, {
        mode,
        config: { value: 1, onDone: () => {} } as never,
      });
      await assert.rejects(orchestrator.start(), (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.code, 'ERR_INVALID_OPTION');
        assert.equal(error.option, 'LoadableAgent.config.onDone');
        assert.match(error.message, /"LoadableAgent\.config\.onDone"/);
        assert.match(error.message, new RegExp(`${mode} agent`));
        return true;
      });
      assert.deepEqual(started, []);
      assert.equal(entry.status, 'registered');
      assert.equal(inline.status, 'registered');
    });
  }

  test('inline mode accepts a class without module, a local subclass and non-cloneable config and plugins', async () => {
    const orchestrator = makeOrchestrator();
    const plugin = { init: () => {}, callback: () => {} };
    const a = orchestrator.registerAgent(InlineOnly, { config: { fn: () => {} }, plugins: [plugin] });
    const b = orchestrator.registerAgent(LocalSubclass);
    const c = orchestrator.registerAgent(hiddenAgentClass(), { mode: 'inline' });
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(a.status, 'completed');
    assert.equal(a.result, 'inline');
    assert.equal(b.status, 'completed');
    assert.equal(b.result, 1);
    assert.equal(c.status, 'completed');
  });

  test('resourceLimits: heap limits in thread and process mode, the other limits in thread mode only, none inline', () => {
    const orchestrator = makeOrchestrator();
    const heap = { maxOldGenerationSizeMb: 64 };
    for (const mode of ['thread', 'process'] as const) {
      assert.equal(
        orchestrator.registerAgent(LoadableAgent, { name: mode, mode, resourceLimits: heap }).mode,
        mode,
      );
    }
    assert.throws(
      () =>
        orchestrator.registerAgent(LoadableAgent, { name: 'inline', mode: 'inline', resourceLimits: heap }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'options.resourceLimits',
    );
    assert.throws(
      () =>
        orchestrator.registerAgent(LoadableAgent, {
          name: 'process-stack',
          mode: 'process',
          resourceLimits: { stackSizeMb: 4 },
        }),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.option === 'options.resourceLimits.stackSizeMb',
    );
  });
});
