import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunAbort } from '../../src/agents/run-abort.ts';

describe('RunAbort', () => {
  test('a signal read before the abort fires on it, with the reason', () => {
    const abort = new RunAbort();
    const { signal } = abort;
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    assert.equal(abort.aborted, false);
    assert.equal(signal.aborted, false);
    const reason = new Error('stop');
    abort.abort(reason);
    assert.equal(fired, 1);
    assert.equal(abort.aborted, true);
    assert.equal(signal.reason, reason);
    assert.equal(abort.signal, signal, 'the same signal every read');
  });

  test('a signal first read after the abort is made aborted, with the reason', () => {
    const abort = new RunAbort();
    const reason = new Error('stop');
    abort.abort(reason);
    assert.equal(abort.aborted, true);
    assert.equal(abort.signal.aborted, true);
    assert.equal(abort.signal.reason, reason);
  });

  test('a second abort changes nothing: the first reason stays', () => {
    const abort = new RunAbort();
    const first = new Error('first');
    abort.abort(first);
    abort.abort(new Error('second'));
    assert.equal(abort.signal.reason, first);
    const early = new RunAbort();
    const { signal } = early;
    early.abort(first);
    early.abort(new Error('second'));
    assert.equal(signal.reason, first);
  });
});
