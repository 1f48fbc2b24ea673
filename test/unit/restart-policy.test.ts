import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import {
  NO_RESTART,
  RestartTracker,
  restartSchema,
  restartTracker,
} from '../../src/orchestrator/restart-policy.ts';

/** As registration reads `restart`: absent is `NO_RESTART`. */
const policy = (input: unknown) => v.parse(restartSchema, input) ?? NO_RESTART;

describe('restart policy', () => {
  test('a bare `when` takes the defaults; a policy overrides only what it names', () => {
    assert.deepEqual(policy(undefined), {
      when: 'never',
      maxRestarts: 5,
      withinMs: 60_000,
      backoffMs: 100,
      backoffFactor: 2,
      backoffMaxMs: 30_000,
      resetAfterMs: 30_000,
      restartDependents: false,
    });
    assert.equal(policy({ when: 'always', backoffMs: 0 }).backoffMs, 0);
    assert.equal(policy({ when: 'always', backoffMs: 0 }).maxRestarts, 5);
  });

  test('a bare `when` is one frozen policy shared by every agent given it; a policy object is its own', () => {
    assert.equal(policy(undefined), policy('never'));
    assert.equal(policy('always'), policy('always'));
    assert.ok(Object.isFrozen(policy('on-failure')));
    assert.notEqual(policy({ when: 'never' }), policy({ when: 'never' }));
  });

  test('which endings restart: on-failure restarts failed and killed; always also completed; never a requested stop', () => {
    const onFailure = new RestartTracker(policy('on-failure'));
    assert.equal(onFailure.decide('completed', 0), undefined);
    assert.equal(onFailure.decide('stopped', 0), undefined);
    assert.equal(typeof onFailure.decide('failed', 0), 'number');
    assert.equal(typeof onFailure.decide('killed', 0), 'number');
    const always = new RestartTracker(policy('always'));
    assert.equal(typeof always.decide('completed', 0), 'number');
    assert.equal(always.decide('stopped', 0), undefined);
    assert.equal(new RestartTracker(policy('never')).decide('failed', 0), undefined);
  });

  test('exponential backoff with a cap', () => {
    const tracker = new RestartTracker(
      policy({ when: 'on-failure', backoffMs: 10, backoffFactor: 3, backoffMaxMs: 200, maxRestarts: 10 }),
    );
    const delays = Array.from({ length: 6 }, () => tracker.decide('failed', 1));
    assert.deepEqual(delays, [10, 30, 90, 200, 200, 200]);
  });

  test('at most maxRestarts within the window, then the limit', () => {
    const tracker = new RestartTracker(policy({ when: 'on-failure', maxRestarts: 2, backoffMs: 0 }));
    assert.deepEqual(
      [tracker.decide('failed', 1), tracker.decide('failed', 1), tracker.decide('failed', 1)],
      [0, 0, 'limit'],
    );
    assert.equal(tracker.recent, 2);
  });

  test('restarts older than the window no longer count', () => {
    const tracker = new RestartTracker(
      policy({ when: 'on-failure', maxRestarts: 1, withinMs: 0, backoffMs: 0 }),
    );
    assert.deepEqual([tracker.decide('failed', 1), tracker.decide('failed', 1)], [0, 0]);
  });

  test('the window slides: restarts count while they are within withinMs of now', (t) => {
    let clock = 0;
    t.mock.method(performance, 'now', () => clock);
    const tracker = new RestartTracker(
      policy({ when: 'on-failure', maxRestarts: 3, withinMs: 100, backoffMs: 0 }),
    );
    const at = (time: number) => {
      clock = time;
      return tracker.decide('failed', 1);
    };
    assert.deepEqual([at(0), at(10), at(20), at(30)], [0, 0, 0, 'limit']);
    assert.equal(at(99), 'limit', 'the restart at 0 is still within 100 ms');
    assert.equal(at(100), 0, 'the restart at 0 has left the window');
    assert.equal(tracker.recent, 3);
    // A long run at one restart a ms: the count stays the window's worth, however many passed.
    const sliding = new RestartTracker(
      policy({ when: 'on-failure', maxRestarts: 60, withinMs: 50, backoffMs: 0 }),
    );
    for (let i = 0; i < 10_000; i++) {
      clock = 1000 + i;
      assert.equal(sliding.decide('failed', 1), 0);
      assert.equal(sliding.recent, Math.min(i + 1, 50));
    }
  });

  test('a run that stayed up resetAfterMs resets the backoff and the count', () => {
    const tracker = new RestartTracker(
      policy({ when: 'on-failure', maxRestarts: 2, backoffMs: 10, resetAfterMs: 1000 }),
    );
    assert.deepEqual([tracker.decide('failed', 5), tracker.decide('failed', 5)], [10, 20]);
    assert.equal(tracker.decide('failed', 1000), 10, 'a stable run: back to the first delay, not the limit');
  });

  test('bad policies are refused naming the field', () => {
    assert.throws(() => policy('sometimes'));
    assert.throws(() => policy({ when: 'always', maxRestarts: -1 }));
    assert.throws(() => policy({ when: 'always', backoffFactor: 0.5 }));
    assert.throws(() => policy({ when: 'always', retries: 3 }));
  });
});

describe('restartTracker', () => {
  test('agents never restarted share one tracker; any other policy gets its own', () => {
    assert.equal(restartTracker(NO_RESTART), restartTracker(NO_RESTART));
    assert.equal(restartTracker(NO_RESTART).decide('failed', 0), undefined);
    const onFailure = policy('on-failure');
    assert.notEqual(restartTracker(onFailure), restartTracker(onFailure));
    // A policy spelled out as never restarting is not the default object: its own tracker, same answers.
    const spelled = policy({ when: 'never', maxRestarts: 3 });
    assert.notEqual(restartTracker(spelled), restartTracker(NO_RESTART));
    assert.equal(restartTracker(spelled).decide('failed', 0), undefined);
  });
});
