import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidOptionError } from '../../src/errors.ts';
import { Orchestrator } from '../../src/orchestrator/orchestrator.ts';
import { resolveOrchestratorConfig } from '../../src/orchestrator/orchestrator-config.ts';

/** Asserts `fn` throws an InvalidOptionError for `option` whose message names the option and `shown`. */
function assertInvalidOption(fn: () => unknown, option: string, shown: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_INVALID_OPTION');
    assert.equal(error.option, option);
    assert.ok(error.message.includes(`"${option}"`), `message names the option: ${error.message}`);
    assert.ok(error.message.includes(shown), `message shows ${shown}: ${error.message}`);
    return true;
  });
}

describe('Orchestrator options', () => {
  test('defaults are filled in', () => {
    const config = resolveOrchestratorConfig({ logLevel: 'silent' });
    assert.equal(config.name, 'orchestrator');
    assert.equal(config.maxWorkers, Number.POSITIVE_INFINITY);
    assert.equal(config.checkInterval, 1000);
    assert.equal(config.stopTimeout, 5000);
    assert.equal(config.killTimeout, 2000);
    assert.equal(config.runMode, 'batch');
    assert.equal(config.logLevel, 'silent');
    assert.equal(config.handleSignals, true);
    assert.equal(config.logDestination, process.stderr);
  });

  test('valid values are kept, Infinity included', () => {
    const sink = { write() {} };
    const orchestrator = new Orchestrator({
      name: 'main',
      maxWorkers: Number.POSITIVE_INFINITY,
      checkInterval: 10,
      stopTimeout: 0,
      killTimeout: 0,
      runMode: 'daemon',
      logLevel: 'silent',
      logDestination: sink,
      handleSignals: false,
    });
    assert.equal(orchestrator.name, 'main');
    assert.equal(orchestrator.maxWorkers, Number.POSITIVE_INFINITY);
    assert.equal(orchestrator.config.checkInterval, 10);
    assert.equal(orchestrator.config.stopTimeout, 0);
    assert.equal(orchestrator.config.runMode, 'daemon');
    assert.equal(orchestrator.config.logDestination, sink);
    assert.equal(new Orchestrator({ maxWorkers: 4, logLevel: 'silent' }).maxWorkers, 4);
  });

  test('no config at all is fine', () => {
    assert.doesNotThrow(() => new Orchestrator());
    assert.doesNotThrow(() => resolveOrchestratorConfig(undefined));
  });

  for (const [value, shown] of [
    [0, 'received 0'],
    [-1, 'received -1'],
    [1.5, 'received 1.5'],
    ['4', 'received "4"'],
  ] as const) {
    test(`maxWorkers ${JSON.stringify(value)} is refused`, () => {
      assertInvalidOption(() => new Orchestrator({ maxWorkers: value as number }), 'maxWorkers', shown);
    });
  }

  test('maxWorkers NaN and -Infinity are refused', () => {
    for (const value of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      assert.throws(
        () => new Orchestrator({ maxWorkers: value }),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === 'maxWorkers' &&
          Object.is(error.value, value),
      );
    }
  });

  test('maxWorkers NaN and -Infinity are refused with a message that shows the value', {}, () => {
    assertInvalidOption(() => new Orchestrator({ maxWorkers: Number.NaN }), 'maxWorkers', 'received NaN');
    assertInvalidOption(
      () => new Orchestrator({ maxWorkers: Number.NEGATIVE_INFINITY }),
      'maxWorkers',
      'received -Infinity',
    );
  });

  test('the maxWorkers message says what is allowed for a value of the wrong type', () => {
    assert.throws(
      () => new Orchestrator({ maxWorkers: '4' as never }),
      /^InvalidOptionError: Invalid option "maxWorkers": received "4"; expected a positive integer or Infinity\.$/m,
    );
  });

  test('the maxWorkers message says what is allowed for any refused number (0, -1, 1.5, -Infinity)', {}, () => {
    for (const value of [0, -1, 1.5, Number.NEGATIVE_INFINITY]) {
      assert.throws(
        () => new Orchestrator({ maxWorkers: value }),
        /expected a positive integer or Infinity\.$/,
        String(value),
      );
    }
    const orchestrator = new Orchestrator({ logLevel: 'silent' });
    assert.throws(() => {
      orchestrator.maxWorkers = 0;
    }, /expected a positive integer or Infinity\.$/);
  });

  test('checkInterval 0, negative, or not finite is refused', () => {
    assertInvalidOption(() => new Orchestrator({ checkInterval: 0 }), 'checkInterval', 'received 0');
    assertInvalidOption(() => new Orchestrator({ checkInterval: -5 }), 'checkInterval', 'received -5');
    assert.throws(() => new Orchestrator({ checkInterval: 0 }), /expected a positive number of ms/);
    assert.throws(
      () => new Orchestrator({ checkInterval: Number.POSITIVE_INFINITY }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'checkInterval',
    );
  });

  test('stopTimeout -1 and killTimeout "x" are refused', () => {
    assertInvalidOption(() => new Orchestrator({ stopTimeout: -1 }), 'stopTimeout', 'received -1');
    assert.throws(() => new Orchestrator({ stopTimeout: -1 }), /expected a number of ms >= 0/);
    assertInvalidOption(() => new Orchestrator({ killTimeout: 'x' as never }), 'killTimeout', '"x"');
  });

  test('runMode "x" is refused, naming the allowed values', () => {
    assertInvalidOption(() => new Orchestrator({ runMode: 'x' as never }), 'runMode', '"x"');
    assert.throws(() => new Orchestrator({ runMode: 'x' as never }), /"batch" or "daemon"/);
  });

  test('logLevel "loud" is refused, naming the levels', () => {
    assertInvalidOption(() => new Orchestrator({ logLevel: 'loud' as never }), 'logLevel', '"loud"');
    assert.throws(() => new Orchestrator({ logLevel: 'loud' as never }), /silent/);
  });

  test('name "" and logDestination without write() are refused', () => {
    assertInvalidOption(() => new Orchestrator({ name: '' }), 'name', '""');
    assert.throws(
      () => new Orchestrator({ logDestination: {} as never }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'logDestination',
    );
  });

  test('handleSignals must be a boolean', () => {
    assertInvalidOption(() => new Orchestrator({ handleSignals: 'yes' as never }), 'handleSignals', '"yes"');
  });

  test('an unknown option key is refused, naming it and the known ones', () => {
    assert.throws(
      () => new Orchestrator({ maxWorker: 4 } as never),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.code, 'ERR_INVALID_OPTION');
        assert.equal(error.option, 'maxWorker');
        assert.match(error.message, /"maxWorker"/);
        assert.match(error.message, /maxWorkers/);
        return true;
      },
    );
  });

  test('an unknown option key reports the value it was given, not its name', () => {
    assert.throws(
      () => new Orchestrator({ maxWorker: 4 } as never),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.value === 4 && error.message.includes('received 4'),
    );
  });

  test('a config that is not an object is refused', () => {
    assert.throws(
      () => new Orchestrator('fast' as never),
      (error: unknown) => error instanceof InvalidOptionError && error.code === 'ERR_INVALID_OPTION',
    );
  });

  test('setting maxWorkers at run time validates the value and keeps the old one on error', () => {
    const orchestrator = new Orchestrator({ maxWorkers: 2, logLevel: 'silent' });
    for (const value of [0, -1, 1.5, Number.NaN, '3']) {
      assert.throws(
        () => {
          orchestrator.maxWorkers = value as number;
        },
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.code === 'ERR_INVALID_OPTION' &&
          error.option === 'maxWorkers' &&
          error.message.includes('"maxWorkers"'),
        String(value),
      );
      assert.equal(orchestrator.maxWorkers, 2);
      assert.equal(orchestrator.config.maxWorkers, 2);
    }
    orchestrator.maxWorkers = 5;
    assert.equal(orchestrator.maxWorkers, 5);
    assert.equal(orchestrator.config.maxWorkers, 5);
    orchestrator.maxWorkers = Number.POSITIVE_INFINITY;
    assert.equal(orchestrator.maxWorkers, Number.POSITIVE_INFINITY);
  });
});
