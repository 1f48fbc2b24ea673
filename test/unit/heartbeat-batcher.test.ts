import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeartbeatBatcher } from '../../src/entry/heartbeat-batcher.ts';
import type { ChildMessage } from '../../src/protocol/messages.ts';

/** A batcher on a clock the test moves, and the messages it posted. */
function setup(options: { maxBatch?: number } = {}) {
  const posted: ChildMessage[] = [];
  const clock = { now: 1000 };
  const batcher = new HeartbeatBatcher((message) => posted.push(message), {
    ...options,
    now: () => clock.now,
  });
  const beat = (sequence: number) => batcher.send({ type: 'heartbeat', sequence });
  return { posted, clock, batcher, beat };
}

const microtask = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('HeartbeatBatcher', () => {
  test('a heartbeat after a quiet spell goes at once', () => {
    const { posted, clock, beat } = setup();
    beat(1);
    assert.deepEqual(posted, [{ type: 'heartbeat', sequence: 1 }]);
    clock.now += 1;
    beat(2);
    assert.deepEqual(posted.at(-1), { type: 'heartbeat', sequence: 2 });
  });

  test('a burst goes as one message when the sender yields, in order, after its first beat', async () => {
    const { posted, beat } = setup();
    for (let sequence = 1; sequence <= 100; sequence++) beat(sequence);
    assert.deepEqual(posted, [{ type: 'heartbeat', sequence: 1 }]);
    await microtask();
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeats', sequences: Array.from({ length: 99 }, (_, index) => index + 2) },
    ]);
  });

  test('one heartbeat held goes as a plain heartbeat', async () => {
    const { posted, beat } = setup();
    beat(1);
    beat(2);
    await microtask();
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeat', sequence: 2 },
    ]);
  });

  test('any other message sends the held heartbeats first', () => {
    const { posted, batcher, beat } = setup();
    beat(1);
    beat(2);
    beat(3);
    batcher.send({ type: 'log', line: 'after the beats' });
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeats', sequences: [2, 3] },
      { type: 'log', line: 'after the beats' },
    ]);
  });

  test('a batch goes once it is full', () => {
    const { posted, beat } = setup({ maxBatch: 3 });
    for (let sequence = 1; sequence <= 7; sequence++) beat(sequence);
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeats', sequences: [2, 3, 4] },
      { type: 'heartbeats', sequences: [5, 6, 7] },
    ]);
  });

  test('a batch goes at the first heartbeat a window after it began, even if the sender never yields', () => {
    const { posted, clock, beat } = setup();
    beat(1);
    beat(2);
    clock.now += 0.5;
    beat(3);
    assert.equal(posted.length, 1, 'still inside the window');
    clock.now += 0.5;
    beat(4);
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeats', sequences: [2, 3, 4] },
    ]);
  });

  test('a message that cannot be sent throws to its sender, and held heartbeats still go', () => {
    const posted: ChildMessage[] = [];
    const batcher = new HeartbeatBatcher(
      (message) => {
        if (message.type === 'done') throw new Error('not cloneable');
        posted.push(message);
      },
      { now: () => 0 },
    );
    batcher.send({ type: 'heartbeat', sequence: 1 });
    batcher.send({ type: 'heartbeat', sequence: 2 });
    assert.throws(
      () => batcher.send({ type: 'done', outcome: 'completed', result: () => {} }),
      /not cloneable/,
    );
    assert.deepEqual(posted, [
      { type: 'heartbeat', sequence: 1 },
      { type: 'heartbeat', sequence: 2 },
    ]);
  });
});
