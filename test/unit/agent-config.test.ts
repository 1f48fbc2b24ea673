import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import * as z from 'zod';
import type { AgentClass } from '../../src/agents/base-agent.ts';
import { LoopingAgent } from '../../src/agents/looping-agent.ts';
import { OneShotAgent } from '../../src/agents/one-shot-agent.ts';
import { PeriodicAgent, type PeriodicConfig } from '../../src/agents/periodic-agent.ts';
import { resolveConfig, validateConfig } from '../../src/config/agent-config.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';
import type { OrchestratorEventName } from '../../src/events/event-map.ts';
import { Orchestrator } from '../../src/orchestrator/orchestrator.ts';

type Config = Record<string, unknown>;

interface LogLine {
  level: number;
  msg: string;
  agent?: string;
  field?: string;
  value?: unknown;
}

/** An orchestrator whose log lines are collected, and a record of the events that mean "something started". */
function makeOrchestrator(logLevel: 'silent' | 'warn' = 'silent') {
  const lines: LogLine[] = [];
  const orchestrator = new Orchestrator({
    logLevel,
    handleSignals: false,
    logDestination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  const started: string[] = [];
  for (const event of ['agent:queued', 'agent:started', 'agent:ready'] as OrchestratorEventName[]) {
    orchestrator.on(event as 'agent:started', (payload) => started.push(`${event}:${payload.agent}`));
  }
  return { orchestrator, lines, started };
}

/** Returns its config, so tests can see what it ran with. */
class Echo extends OneShotAgent<Config, Config> {
  execute(): Config {
    return { ...this.config };
  }
}

class Base extends Echo {
  static override readonly defaults: object = { a: 'base', b: 'base', nested: { x: 1 } };
}
class Middle extends Base {
  static override readonly defaults: object = { b: 'middle', c: 'middle' };
}
class Leaf extends Middle {
  static override readonly defaults: object = { c: 'leaf', d: 'leaf' };
}
/** Declares no defaults of its own. */
class NoOwnDefaults extends Middle {}

function issueFields(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => issue.field).sort();
}

describe('agent config: defaults', () => {
  test('defaults are inherited along the class chain, the subclass winning', () => {
    assert.deepEqual(resolveConfig(Leaf, undefined), {
      a: 'base',
      b: 'middle',
      c: 'leaf',
      d: 'leaf',
      nested: { x: 1 },
    });
    assert.deepEqual(resolveConfig(NoOwnDefaults, {}), {
      a: 'base',
      b: 'middle',
      c: 'middle',
      nested: { x: 1 },
    });
    assert.deepEqual(resolveConfig(Echo, undefined), {});
  });

  test('registration overrides win over every default, and entry.config shows the result', () => {
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Leaf, { config: { a: 'override', d: 'override', e: 1 } });
    assert.deepEqual(entry.config, {
      a: 'override',
      b: 'middle',
      c: 'leaf',
      d: 'override',
      e: 1,
      nested: { x: 1 },
    });
    const plain = orchestrator.registerAgent(Leaf, { name: 'plain' });
    assert.equal(plain.config.a, 'base');
  });

  test('resolving does not modify the class defaults', () => {
    const config = resolveConfig(Leaf, { a: 'changed' });
    config.b = 'changed too';
    assert.deepEqual(Leaf.defaults, { c: 'leaf', d: 'leaf' });
    assert.deepEqual(Base.defaults, { a: 'base', b: 'base', nested: { x: 1 } });
  });

  test('the agent runs with the merged config', async () => {
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Leaf, { config: { d: 'run' } });
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(entry.status, 'completed');
    assert.deepEqual(entry.result, { a: 'base', b: 'middle', c: 'leaf', d: 'run', nested: { x: 1 } });
  });
});

/** The same config shape as a valibot and a zod schema: port integer 1..65535, host non-empty, retries >= 0 (default 3). */
const valibotSchema = v.object({
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  host: v.pipe(v.string(), v.nonEmpty()),
  retries: v.optional(v.pipe(v.number(), v.minValue(0)), 3),
  db: v.object({ name: v.string() }),
});
const zodSchema = z.object({
  port: z.number().int().min(1).max(65535),
  host: z.string().min(1),
  retries: z.number().min(0).default(3),
  db: z.object({ name: z.string() }),
});

for (const [library, schema] of [
  ['valibot', valibotSchema],
  ['zod', zodSchema],
] as const) {
  class Service extends Echo {
    static override readonly defaults: object = { port: 8080, host: 'localhost', db: { name: 'main' } };
    static readonly schema = schema;
  }

  describe(`agent config: Standard Schema (${library})`, () => {
    test('an invalid config: start() rejects with every issue and nothing starts', async () => {
      const { orchestrator, started } = makeOrchestrator();
      const other = orchestrator.registerAgent(Echo);
      const entry = orchestrator.registerAgent(Service, {
        config: { port: 0, host: '', retries: 'many', db: { name: 7 } } as Config,
      });
      await assert.rejects(orchestrator.start(), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.code, 'ERR_INVALID_CONFIG');
        assert.equal(error.agent, 'Service');
        assert.deepEqual(issueFields(error.issues), ['db.name', 'host', 'port', 'retries']);
        const byField = new Map(error.issues.map((issue) => [issue.field, issue]));
        assert.equal(byField.get('port')!.value, 0);
        assert.equal(byField.get('host')!.value, '');
        assert.equal(byField.get('retries')!.value, 'many');
        assert.equal(byField.get('db.name')!.value, 7);
        for (const issue of error.issues) {
          assert.equal(issue.severity, 'error');
          assert.equal(typeof issue.message, 'string');
          assert.ok(issue.message.length > 0);
          assert.ok(error.message.includes(`${issue.field}: ${issue.message}`), error.message);
        }
        return true;
      });
      assert.deepEqual(started, []);
      assert.equal(entry.status, 'registered');
      assert.equal(other.status, 'registered');
    });

    test('a missing required field is reported with value undefined', async () => {
      const { orchestrator } = makeOrchestrator();
      class NoDefaults extends Echo {
        static readonly schema = schema;
      }
      orchestrator.registerAgent(NoDefaults, { config: { port: 80, db: { name: 'x' } } });
      await assert.rejects(orchestrator.start(), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(issueFields(error.issues), ['host']);
        assert.equal(error.issues[0]!.value, undefined);
        assert.ok('value' in error.issues[0]!);
        return true;
      });
    });

    test('ignoreConfigErrors lets schema errors through; the schema is then not applied', async () => {
      const { orchestrator, lines } = makeOrchestrator('warn');
      const entry = orchestrator.registerAgent(Service, { config: { port: 0 }, ignoreConfigErrors: true });
      await orchestrator.start();
      await orchestrator.join();
      assert.equal(entry.status, 'completed');
      assert.equal((entry.result as Config).port, 0);
      const logged = lines.filter((line) => line.level === 50 && line.field === 'port');
      assert.equal(logged.length, 1);
      assert.match(logged[0]!.msg, /ignored by policy/);
    });

    test("a valid config: the schema's output (defaults filled in) becomes the config", async () => {
      const { orchestrator } = makeOrchestrator();
      const entry = orchestrator.registerAgent(Service, { config: { port: 9000 } });
      assert.equal(entry.config.retries, undefined);
      await orchestrator.start();
      assert.equal(entry.config.retries, 3);
      await orchestrator.join();
      assert.equal(entry.status, 'completed');
      assert.deepEqual(entry.result, { port: 9000, host: 'localhost', retries: 3, db: { name: 'main' } });
    });
  });
}

describe('agent config: schema transforms', () => {
  test('valibot transforms become the config', async () => {
    class Transformed extends Echo {
      static override readonly defaults: object = { port: '8080', tags: 'a,b' };
      static readonly schema = v.object({
        port: v.pipe(v.string(), v.transform(Number)),
        tags: v.pipe(
          v.string(),
          v.transform((value) => value.split(',')),
        ),
      });
    }
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Transformed);
    await orchestrator.start();
    await orchestrator.join();
    assert.deepEqual(entry.result, { port: 8080, tags: ['a', 'b'] });
  });

  test('zod transforms and stripping of unknown keys become the config', async () => {
    class Transformed extends Echo {
      static override readonly defaults: object = { port: '8080', extra: true };
      static readonly schema = z.object({ port: z.string().transform(Number) });
    }
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Transformed);
    await orchestrator.start();
    await orchestrator.join();
    assert.deepEqual(entry.result, { port: 8080 });
  });

  test('a restart validates the config given again, not the last output of a transforming schema', async () => {
    const seen: unknown[] = [];
    class Transformed extends Echo {
      static override readonly defaults: object = { port: '8080' };
      static readonly schema = v.object({ port: v.pipe(v.string(), v.transform(Number)) });
      static validate(config: Config) {
        seen.push(config.port);
      }
    }
    class Stripped extends Echo {
      static override readonly defaults: object = { port: '9090', extra: true };
      static readonly schema = z.object({ port: z.string().transform(Number) });
    }
    const { orchestrator } = makeOrchestrator();
    const transformed = orchestrator.registerAgent(Transformed);
    const stripped = orchestrator.registerAgent(Stripped);
    await orchestrator.start();
    await orchestrator.join();
    for (let run = 0; run < 2; run++) {
      // The output (a number) would be refused by a schema that takes a string.
      await orchestrator.restart('Transformed');
      await orchestrator.restart('Stripped');
      await transformed.join();
      await stripped.join();
      assert.deepEqual(transformed.result, { port: 8080 });
      assert.deepEqual(stripped.result, { port: 9090 });
    }
    assert.deepEqual(seen, [8080, 8080, 8080], "validate() sees each run's schema output");
    assert.deepEqual(transformed.config, { port: 8080 });
    assert.equal(transformed.restarts, 2);
  });

  test('an agent without a schema or validate() runs with the config given itself, frozen, every run', async () => {
    const configs: Config[] = [];
    class Kept extends Echo {
      static override readonly defaults: object = { port: 1 };
      override execute(): Config {
        configs.push(this.config);
        return super.execute();
      }
    }
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Kept, { config: { host: 'h' } });
    assert.deepEqual(entry.config, { port: 1, host: 'h' });
    await orchestrator.start();
    await orchestrator.join();
    await orchestrator.restart('Kept');
    await entry.join();
    assert.equal(configs.length, 2);
    assert.equal(configs[0], entry.config);
    assert.equal(configs[1], entry.config);
    assert.ok(Object.isFrozen(entry.config));
    assert.deepEqual(entry.result, { port: 1, host: 'h' });
  });

  test('an async schema is awaited', async () => {
    class Async extends Echo {
      static override readonly defaults: object = { n: 1 };
      static readonly schema = v.pipeAsync(
        v.object({ n: v.number() }),
        v.checkAsync(async (config) => config.n > 1, 'n must be above 1'),
      );
    }
    const { orchestrator } = makeOrchestrator();
    orchestrator.registerAgent(Async);
    await assert.rejects(
      orchestrator.start(),
      (error: unknown) => error instanceof ConfigError && error.issues[0]!.message === 'n must be above 1',
    );
  });
});

/** Hand-written validation: `size` > 0 (error), `label` set (warning), `mode` not "unsafe" (critical). */
class Checked extends Echo {
  static override readonly defaults: object = { size: 1, label: 'x', mode: 'safe' };
  static validate(config: { size: number; label: string; mode: string }): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!(config.size > 0)) issues.push({ field: 'size', message: 'must be positive', severity: 'error' });
    if (!config.label) issues.push({ field: 'label', message: 'should be set', severity: 'warning' });
    if (config.mode === 'unsafe')
      issues.push({ field: 'mode', message: 'unsafe is never allowed', severity: 'critical' });
    return issues;
  }
}

describe('agent config: validate() and severities', () => {
  test('a warning is logged and the agent starts', async () => {
    const { orchestrator, lines } = makeOrchestrator('warn');
    const entry = orchestrator.registerAgent(Checked, { config: { label: '' } });
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(entry.status, 'completed');
    const warnings = lines.filter((line) => line.level === 40 && line.field === 'label');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.msg, 'should be set');
    assert.equal(warnings[0]!.agent, 'Checked');
    assert.equal(warnings[0]!.value, '');
  });

  test('an error refuses the start, naming field, message, severity and value', async () => {
    const { orchestrator, started } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Checked, { config: { size: -2 } });
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.issues, [
        { field: 'size', message: 'must be positive', severity: 'error', value: -2 },
      ]);
      assert.match(error.message, /\[error\] size: must be positive \(received -2\)/);
      return true;
    });
    assert.deepEqual(started, []);
    assert.equal(entry.status, 'registered');
  });

  test('an error is ignored with ignoreConfigErrors: true, and logged', async () => {
    const { orchestrator, lines } = makeOrchestrator('warn');
    const entry = orchestrator.registerAgent(Checked, { config: { size: -2 }, ignoreConfigErrors: true });
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(entry.status, 'completed');
    assert.equal((entry.result as Config).size, -2);
    const errors = lines.filter((line) => line.level === 50 && line.field === 'size');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.msg, /must be positive \(ignored by policy\)/);
  });

  test('a critical issue refuses the start even with ignoreConfigErrors', async () => {
    const { orchestrator, started } = makeOrchestrator();
    orchestrator.registerAgent(Checked, {
      config: { mode: 'unsafe', size: 0, label: '' },
      ignoreConfigErrors: true,
    });
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        error.issues.map((issue) => [issue.field, issue.severity, issue.value]),
        [
          ['size', 'error', 0],
          ['mode', 'critical', 'unsafe'],
        ],
      );
      return true;
    });
    assert.deepEqual(started, []);
  });

  test('a validate() that throws is a critical issue, never ignorable', async () => {
    class Throws extends Echo {
      static validate(): ConfigIssue[] {
        throw new Error('validator exploded');
      }
    }
    const { orchestrator, started } = makeOrchestrator();
    orchestrator.registerAgent(Throws, { ignoreConfigErrors: true });
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues.length, 1);
      assert.equal(error.issues[0]!.severity, 'critical');
      assert.equal(error.issues[0]!.field, '');
      assert.match(error.issues[0]!.message, /validator exploded/);
      return true;
    });
    assert.deepEqual(started, []);
  });

  test('a validate() that returns nothing means valid', async () => {
    class ReturnsNothing extends Echo {
      static validate(): undefined {
        return undefined;
      }
    }
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(ReturnsNothing);
    await orchestrator.start();
    await orchestrator.join();
    assert.equal(entry.status, 'completed');
  });

  test('issues are normalised: unknown severity becomes error, missing value is read from the config', async () => {
    class Sloppy extends Echo {
      static override readonly defaults: object = { db: { port: 5 } };
      static validate(): Iterable<ConfigIssue> {
        return new Set([
          { field: 'db.port', message: 'too low', severity: 'fatal' as never },
          { field: 7 as never, message: 'odd field', severity: 'warning' },
        ]);
      }
    }
    const { issues } = await validateConfig(Sloppy, resolveConfig(Sloppy, undefined));
    assert.deepEqual(issues, [
      { field: 'db.port', message: 'too low', severity: 'error', value: 5 },
      { field: '', message: 'odd field', severity: 'warning', value: { db: { port: 5 } } },
    ]);
  });

  test('schema issues and validate() issues are all reported together', async () => {
    class Both extends Echo {
      static override readonly defaults: object = { port: 'x', size: 0 };
      static readonly schema = v.object({ port: v.number(), size: v.number() });
      static validate(config: { size: number }): ConfigIssue[] {
        return config.size > 0 ? [] : [{ field: 'size', message: 'must be positive', severity: 'error' }];
      }
    }
    const { orchestrator } = makeOrchestrator();
    orchestrator.registerAgent(Both);
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(issueFields(error.issues), ['port', 'size']);
      return true;
    });
  });

  test("validate() sees the schema's output (defaults and transforms applied)", {}, async () => {
    class Layered extends Echo {
      static readonly schema = v.object({ retries: v.optional(v.number(), 3) });
      static validate(config: { retries?: number }): ConfigIssue[] {
        return config.retries === undefined
          ? [{ field: 'retries', message: 'missing', severity: 'error' }]
          : [];
      }
    }
    const { issues, config } = await validateConfig(Layered, {});
    assert.deepEqual(config, { retries: 3 });
    assert.deepEqual(issues, []);
  });

  test('validation is synchronous unless the schema is not: no await per agent at start', async () => {
    class Plain extends Echo {
      static override readonly defaults: object = { port: 1 };
    }
    class Synchronous extends Echo {
      static readonly schema = v.object({ port: v.number() });
    }
    class Asynchronous extends Echo {
      static readonly schema = v.objectAsync({
        port: v.pipeAsync(
          v.number(),
          v.checkAsync(async (port) => port > 1, 'too low'),
        ),
      });
    }
    /** A schema from a library whose promises are not this realm's: only a `then`. */
    class Thenable extends Echo {
      static readonly schema = {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: () => ({
            // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose
            then: (resolve: (result: unknown) => void) =>
              resolve({ issues: [{ message: 'no', path: ['port'] }] }),
          }),
        },
      } as never;
    }
    const config = { port: 1 };
    assert.deepEqual(validateConfig(Plain, config), { config, issues: [] });
    assert.deepEqual(validateConfig(Synchronous, config), { config, issues: [] });
    const pending = validateConfig(Asynchronous, config);
    assert.ok(pending instanceof Promise);
    assert.deepEqual(issueFields((await pending).issues), ['port']);
    const fromThenable = validateConfig(Thenable, config);
    assert.ok(fromThenable instanceof Promise);
    assert.deepEqual(await fromThenable, {
      config,
      issues: [{ field: 'port', message: 'no', severity: 'error', value: 1 }],
    });
  });

  test('several refused agents: one ConfigError lists the issues of each, prefixed with the agent', async () => {
    const { orchestrator, started } = makeOrchestrator();
    orchestrator.registerAgent(Checked, { name: 'one', config: { size: 0 } });
    orchestrator.registerAgent(Echo, { name: 'fine' });
    orchestrator.registerAgent(Checked, { name: 'two', config: { mode: 'unsafe' } });
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.agent, 'one, two');
      assert.deepEqual(
        error.issues.map((issue) => [issue.field, issue.severity]),
        [
          ['one: size', 'error'],
          ['two: mode', 'critical'],
        ],
      );
      return true;
    });
    assert.deepEqual(started, []);
    assert.ok(orchestrator.agents().every((entry) => entry.status === 'registered'));
  });

  test('entry.start() validates too', async () => {
    const { orchestrator, started } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Checked, { config: { size: 0 } });
    await assert.rejects(entry.start(), ConfigError);
    assert.deepEqual(started, []);
    assert.equal(entry.status, 'registered');
  });
});

describe("agent config: the built-in loops' fields", () => {
  class Loops extends LoopingAgent {
    cycle(): void {}
  }
  class Ticks extends PeriodicAgent {
    runner(): void {}
  }
  /** A subclass with a field of its own, keeping the base checks. */
  class Labelled extends PeriodicAgent<PeriodicConfig & { label: string }> {
    static override readonly defaults = { label: 'x' };
    static override validate(config: PeriodicConfig & { label: string }): ConfigIssue[] {
      const issues = PeriodicAgent.validate(config);
      if (config.label === '') issues.push({ field: 'label', message: 'must be set', severity: 'error' });
      return issues;
    }
    runner(): void {}
  }
  const fields = (AgentClass: AgentClass, given: Config) => {
    const result = validateConfig(AgentClass, resolveConfig(AgentClass, given));
    assert.ok(!(result instanceof Promise));
    return result.issues.map(({ field, severity }) => `${field}:${severity}`);
  };

  test('limit: an integer from -1 up, or Infinity', () => {
    for (const limit of [-1, 0, 3, Number.POSITIVE_INFINITY]) assert.deepEqual(fields(Loops, { limit }), []);
    // -2 and 2.5 would run for ever (only -1 says so); '3' compares as a string.
    for (const limit of [-2, 2.5, Number.NaN, '3', null]) {
      assert.deepEqual(fields(Loops, { limit }), ['limit:error'], String(limit));
      assert.deepEqual(fields(Ticks, { limit }), ['limit:error'], String(limit));
    }
  });

  test('interval: ms from 0 up; delayCompensation: a boolean', () => {
    assert.deepEqual(fields(Ticks, {}), []);
    assert.deepEqual(fields(Ticks, { interval: 0 }), []);
    for (const interval of [-1, Number.NaN, '1000', Number.POSITIVE_INFINITY]) {
      assert.deepEqual(fields(Ticks, { interval }), ['interval:error'], String(interval));
    }
    assert.deepEqual(fields(Ticks, { delayCompensation: 'yes' }), ['delayCompensation:error']);
  });

  test("a subclass's own validate() keeps them by calling PeriodicAgent.validate()", () => {
    assert.deepEqual(fields(Labelled, { label: '', interval: -1 }), ['interval:error', 'label:error']);
  });

  test('start() refuses the agent with ConfigError naming the field and the value', async () => {
    const { orchestrator } = makeOrchestrator();
    const entry = orchestrator.registerAgent(Loops, { config: { limit: -5 } });
    await assert.rejects(orchestrator.start(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /limit: must be an integer >= -1 \(-1: until stopped\) \(received -5\)/);
      return true;
    });
    assert.equal(entry.status, 'registered');
  });
});

describe('agent config: a schema or validate() that breaks its own contract', () => {
  const standard = (validate: unknown) => ({ '~standard': { version: 1, vendor: 'test', validate } });
  /** The issues `start()` would refuse with, as `severity: message`. */
  const refusal = async (declared: { schema?: unknown; validate?: unknown }) => {
    class Declared extends OneShotAgent {
      static override readonly defaults = { size: 1 };
      execute(): number {
        return 1;
      }
    }
    Object.assign(Declared, declared);
    const result = await validateConfig(Declared as AgentClass, { size: 1 });
    return result.issues.map(({ severity, message }) => `${severity}: ${message}`);
  };

  test('a schema that is not one, throws, rejects or answers with something else: a critical issue each', async () => {
    assert.deepEqual(await refusal({ schema: { parse: () => ({}) } }), [
      'critical: static schema is not a Standard Schema (no ~standard.validate)',
    ]);
    assert.deepEqual(await refusal({ schema: null }), [
      'critical: static schema is not a Standard Schema (no ~standard.validate)',
    ]);
    const boom = () => {
      throw new Error('boom');
    };
    assert.deepEqual(await refusal({ schema: standard(boom) }), ['critical: the schema threw: boom']);
    assert.deepEqual(await refusal({ schema: standard(() => Promise.reject(new Error('late'))) }), [
      'critical: the schema rejected: late',
    ]);
    assert.deepEqual(await refusal({ schema: standard(() => 42) }), [
      'critical: the schema answered 42, not a Standard Schema result',
    ]);
    assert.deepEqual(await refusal({ schema: standard(() => ({ issues: 'bad' })) }), [
      'critical: the schema answered {"issues":"bad"}, not a Standard Schema result',
    ]);
    // Issues with a path that is not a list, or no message, still name what they can.
    assert.deepEqual(await refusal({ schema: standard(() => ({ issues: [{ path: 5 }] })) }), [
      'error: (the schema gave no message)',
    ]);
  });

  test('a validate() that returns something else than a list of issue objects: a critical issue', async () => {
    assert.deepEqual(await refusal({ validate: () => 5 }), [
      'critical: validate() returned 5, not a list of issues',
    ]);
    assert.deepEqual(await refusal({ validate: () => [null] }), [
      'critical: validate() returned an issue that is not an object: null',
    ]);
    assert.deepEqual(await refusal({ validate: () => [{ field: 'size' }] }), [
      'error: (validate() gave no message)',
    ]);
    const failing = function* () {
      yield { field: 'size', message: 'first', severity: 'warning' as const };
      throw new Error('mid-way');
    };
    assert.deepEqual(await refusal({ validate: failing }), [
      'warning: first',
      'critical: validate() threw: mid-way',
    ]);
  });

  test('start() refuses such an agent with ConfigError, not the TypeError it threw before', async () => {
    const { orchestrator } = makeOrchestrator();
    class NotASchema extends OneShotAgent {
      static readonly schema = {
        '~standard': { version: 1, vendor: 'x', validate: () => ({ issues: 'x' }) },
      };
      execute(): number {
        return 1;
      }
    }
    const entry = orchestrator.registerAgent(NotASchema as unknown as AgentClass);
    await assert.rejects(orchestrator.start(), ConfigError);
    assert.equal(entry.status, 'registered');
  });
});
