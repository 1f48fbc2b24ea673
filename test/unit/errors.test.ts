import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AgentExitError,
  AgentKilledError,
  AgentLoadError,
  ConfigError,
  describeValue,
  deserializeError,
  InvalidOptionError,
  OrchestratorError,
  type SerializedError,
  serializeError,
  UnhandledRejectionError,
} from '../../src/errors.ts';

/** What crossing a thread or process boundary does: serialise, structured-clone, rebuild. */
function roundTrip(error: unknown): Error {
  return deserializeError(structuredClone(serializeError(error)));
}

describe('errors: classes', () => {
  test('every error has a stable code and its class name as name', () => {
    const cases: [Error, string, string][] = [
      [
        new InvalidOptionError('maxWorkers', 0, 'a positive integer'),
        'InvalidOptionError',
        'ERR_INVALID_OPTION',
      ],
      [
        new ConfigError('a', [{ field: 'x', message: 'bad', severity: 'error', value: 1 }]),
        'ConfigError',
        'ERR_INVALID_CONFIG',
      ],
      [new AgentLoadError('nope'), 'AgentLoadError', 'ERR_AGENT_NOT_LOADABLE'],
      [new AgentExitError('a', 3), 'AgentExitError', 'ERR_AGENT_EXIT'],
      [new AgentKilledError('a', 'SIGKILL'), 'AgentKilledError', 'ERR_AGENT_KILLED'],
      [
        new UnhandledRejectionError('a', new Error('x')),
        'UnhandledRejectionError',
        'ERR_UNHANDLED_REJECTION',
      ],
      [new OrchestratorError('ERR_SHUT_DOWN', 'down'), 'OrchestratorError', 'ERR_SHUT_DOWN'],
    ];
    for (const [error, name, code] of cases) {
      assert.ok(error instanceof OrchestratorError, name);
      assert.equal(error.name, name);
      assert.equal((error as OrchestratorError).code, code);
      assert.match(String(error.stack), new RegExp(`^${name}`));
    }
  });

  test('InvalidOptionError names the option, the value and what is allowed', () => {
    const error = new InvalidOptionError('runMode', 'x', '"batch" or "daemon"');
    assert.equal(error.option, 'runMode');
    assert.equal(error.value, 'x');
    assert.equal(error.message, 'Invalid option "runMode": received "x"; expected "batch" or "daemon".');
  });

  test('ConfigError lists every issue with severity, field, message and value', () => {
    const error = new ConfigError('db', [
      { field: 'port', message: 'must be a number', severity: 'error', value: 'eighty' },
      { field: '', message: 'is odd', severity: 'critical', value: { a: 1 } },
    ]);
    assert.equal(error.agent, 'db');
    assert.equal(error.issues.length, 2);
    assert.match(error.message, /agent "db"/);
    assert.match(error.message, /\[error\] port: must be a number \(received "eighty"\)/);
    assert.match(error.message, /\[critical\] \(config\): is odd \(received \{"a":1\}\)/);
  });

  test('UnhandledRejectionError keeps the reason as cause', () => {
    const reason = new Error('inner');
    const error = new UnhandledRejectionError('a', reason);
    assert.equal(error.cause, reason);
    assert.match(error.message, /inner/);
  });

  test('describeValue renders any value briefly', () => {
    assert.equal(describeValue('x'), '"x"');
    assert.equal(describeValue(3), '3');
    assert.equal(describeValue(undefined), 'undefined');
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(10n), '10n');
    assert.equal(describeValue(Symbol('s')), 'Symbol(s)');
    assert.equal(
      describeValue(function named() {}),
      'function named',
    );
    assert.equal(
      describeValue(() => {}),
      'function (anonymous)',
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(describeValue(circular), '[object Object]');
    assert.ok(describeValue({ long: 'y'.repeat(500) }).length <= 80);
  });

  test('describeValue keeps long strings short as well', {}, () => {
    assert.ok(describeValue('y'.repeat(500)).length <= 80);
  });

  test('describeValue shows NaN, Infinity and -Infinity as themselves', {}, () => {
    assert.equal(describeValue(Number.NaN), 'NaN');
    assert.equal(describeValue(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(describeValue(Number.NEGATIVE_INFINITY), '-Infinity');
  });
});

describe('errors: serializeError / deserializeError', () => {
  test('a ConfigError comes back as a ConfigError with code, message, stack and issues', () => {
    const issues = [
      { field: 'port', message: 'must be a number', severity: 'error' as const, value: 'x' },
      { field: 'host', message: 'required', severity: 'critical' as const, value: undefined },
    ];
    const original = new ConfigError('db', issues);
    const back = roundTrip(original);
    assert.ok(back instanceof ConfigError);
    assert.ok(back instanceof OrchestratorError);
    assert.ok(back instanceof Error);
    assert.equal(back.name, 'ConfigError');
    assert.equal(back.code, 'ERR_INVALID_CONFIG');
    assert.equal(back.message, original.message);
    assert.equal(back.stack, original.stack);
    assert.deepEqual(back.issues, issues);
    assert.equal(back.agent, 'db');
  });

  test('an AgentExitError keeps exitCode', () => {
    const original = new AgentExitError('worker', 7);
    const back = roundTrip(original);
    assert.ok(back instanceof AgentExitError);
    assert.equal(back.exitCode, 7);
    assert.equal(back.code, 'ERR_AGENT_EXIT');
    assert.equal(back.message, original.message);
    assert.equal(back.stack, original.stack);
  });

  test('InvalidOptionError keeps option and value; AgentKilledError keeps signal', () => {
    const option = roundTrip(new InvalidOptionError('maxWorkers', 0, 'a positive integer'));
    assert.ok(option instanceof InvalidOptionError);
    assert.equal(option.option, 'maxWorkers');
    assert.equal(option.value, 0);
    const killed = roundTrip(new AgentKilledError('a', 'SIGTERM'));
    assert.ok(killed instanceof AgentKilledError);
    assert.equal(killed.signal, 'SIGTERM');
    assert.equal(killed.code, 'ERR_AGENT_KILLED');
  });

  test('built-in error classes come back as themselves', () => {
    for (const Class of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
      const original = new Class(`a ${Class.name}`);
      const back = roundTrip(original);
      assert.equal(Object.getPrototypeOf(back), Class.prototype, Class.name);
      assert.equal(back.name, Class.name);
      assert.equal(back.message, original.message);
      assert.equal(back.stack, original.stack);
    }
  });

  test('a string code and extra props survive on a plain Error', () => {
    const original = Object.assign(new Error('no file'), { code: 'ENOENT', path: '/x', errno: -2 });
    const back = roundTrip(original) as Error & { code?: string; path?: string; errno?: number };
    assert.equal(back.code, 'ENOENT');
    assert.equal(back.path, '/x');
    assert.equal(back.errno, -2);
  });

  test('a non-string code survives too', {}, () => {
    const original = Object.assign(new Error('http'), { code: 404 });
    const back = roundTrip(original) as Error & { code?: unknown };
    assert.equal(back.code, 404);
  });

  test('cause is kept, recursively, with its class', () => {
    const root = new RangeError('root cause');
    const middle = new AgentExitError('a', 2);
    Object.defineProperty(middle, 'cause', { value: root, configurable: true });
    const top = new Error('top', { cause: middle });
    const back = roundTrip(top);
    assert.equal(back.message, 'top');
    const backMiddle = back.cause as AgentExitError;
    assert.ok(backMiddle instanceof AgentExitError);
    assert.equal(backMiddle.exitCode, 2);
    assert.equal(backMiddle.stack, middle.stack);
    const backRoot = backMiddle.cause as Error;
    assert.ok(backRoot instanceof RangeError);
    assert.equal(backRoot.message, 'root cause');
    assert.equal(backRoot.stack, root.stack);
  });

  test('a cause that is not an Error comes back as an Error carrying the value', () => {
    const back = roundTrip(new Error('top', { cause: 'just a string' }));
    const cause = back.cause as Error & { thrown?: unknown };
    assert.ok(cause instanceof Error);
    assert.equal(cause.message, 'just a string');
    assert.equal(cause.thrown, 'just a string');
  });

  test('a cyclic cause chain is cut off instead of recursing forever', () => {
    const error = new Error('loop');
    Object.defineProperty(error, 'cause', { value: error, configurable: true });
    const serialized = serializeError(error);
    let depth = 0;
    for (let current: SerializedError | undefined = serialized; current; current = current.cause) depth++;
    assert.ok(depth > 1 && depth <= 6, `depth ${depth}`);
    assert.doesNotThrow(() => structuredClone(serialized));
  });

  test('an unknown class comes back as an Error with the same name, code and props', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
      code = 'E_QUOTA';
      limit = 10;
    }
    const original = new QuotaError('over quota');
    const back = roundTrip(original) as Error & { code?: string; limit?: number };
    assert.equal(Object.getPrototypeOf(back), Error.prototype);
    assert.equal(back.name, 'QuotaError');
    assert.equal(back.message, 'over quota');
    assert.equal(back.stack, original.stack);
    assert.equal(back.code, 'E_QUOTA');
    assert.equal(back.limit, 10);
  });

  test('an AbortError (DOMException) comes back with name AbortError', () => {
    const controller = new AbortController();
    controller.abort();
    const back = roundTrip(controller.signal.reason);
    assert.ok(back instanceof Error);
    assert.equal(back.name, 'AbortError');
  });

  test('non-Error thrown values become an Error carrying the value', () => {
    const cases: [unknown, string][] = [
      ['plain string', 'plain string'],
      [42, '42'],
      [{ reason: 'x' }, '{"reason":"x"}'],
      [null, 'null'],
      [undefined, 'undefined'],
    ];
    for (const [thrown, message] of cases) {
      const serialized = serializeError(thrown);
      assert.equal(serialized.name, 'Error');
      assert.equal(serialized.stack, undefined);
      const back = deserializeError(structuredClone(serialized)) as Error & { thrown?: unknown };
      assert.ok(back instanceof Error);
      assert.equal(back.message, message);
      assert.deepEqual(back.thrown, thrown);
    }
  });

  test('props that cannot be cloned are described instead of breaking serialisation', () => {
    const original = Object.assign(new Error('with fn'), { callback: function cb() {} });
    const serialized = serializeError(original);
    assert.doesNotThrow(() => structuredClone(serialized));
    const back = deserializeError(structuredClone(serialized)) as Error & { callback?: unknown };
    assert.equal(back.callback, 'function cb');
  });

  test('a non-Error thrown value that cannot be cloned is described', () => {
    const serialized = serializeError(Symbol('weird'));
    assert.doesNotThrow(() => structuredClone(serialized));
    assert.equal(serialized.message, 'Symbol(weird)');
  });

  test('deserialised errors can be rethrown and caught by class', () => {
    const back = roundTrip(new AgentLoadError('cannot load'));
    assert.throws(
      () => {
        throw back;
      },
      (error: unknown) => error instanceof AgentLoadError && error.code === 'ERR_AGENT_NOT_LOADABLE',
    );
  });
});
