import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Schedulable, Scheduler } from '../../src/orchestrator/scheduler.ts';

interface Item extends Schedulable {
  id: string;
}

let sequence = 0;
function item(id: string, priority = 0): Item {
  return { id, priority, sequence: sequence++ };
}

function makeScheduler(maxWorkers: number): { scheduler: Scheduler<Item>; launched: string[] } {
  const launched: string[] = [];
  const scheduler = new Scheduler<Item>(maxWorkers, (launchedItem) => launched.push(launchedItem.id));
  return { scheduler, launched };
}

describe('Scheduler', () => {
  test('launches at once while slots are free', () => {
    const { scheduler, launched } = makeScheduler(2);
    assert.equal(scheduler.enqueue(item('a')), 0);
    assert.equal(scheduler.enqueue(item('b')), 0);
    assert.deepEqual(launched, ['a', 'b']);
    assert.equal(scheduler.running, 2);
    assert.equal(scheduler.queued, 0);
  });

  test('never launches more than maxWorkers', () => {
    const { scheduler, launched } = makeScheduler(3);
    for (let i = 0; i < 10; i++) scheduler.enqueue(item(`i${i}`));
    assert.deepEqual(launched, ['i0', 'i1', 'i2']);
    assert.equal(scheduler.running, 3);
    assert.equal(scheduler.queued, 7);
  });

  test('release() launches the next waiting item, one per released slot', () => {
    const { scheduler, launched } = makeScheduler(1);
    scheduler.enqueue(item('a'));
    scheduler.enqueue(item('b'));
    scheduler.enqueue(item('c'));
    assert.deepEqual(launched, ['a']);
    scheduler.release();
    assert.deepEqual(launched, ['a', 'b']);
    assert.equal(scheduler.running, 1);
    scheduler.release();
    assert.deepEqual(launched, ['a', 'b', 'c']);
    scheduler.release();
    assert.equal(scheduler.running, 0);
    assert.equal(scheduler.queued, 0);
  });

  test('waiting items launch by priority (higher first), then by arrival', () => {
    const { scheduler, launched } = makeScheduler(1);
    scheduler.enqueue(item('running'));
    scheduler.enqueue(item('low1', -1));
    scheduler.enqueue(item('mid1', 0));
    scheduler.enqueue(item('high1', 5));
    scheduler.enqueue(item('mid2', 0));
    scheduler.enqueue(item('high2', 5));
    scheduler.enqueue(item('low2', -1));
    scheduler.enqueue(item('frac', 0.5));
    while (scheduler.queued > 0) scheduler.release();
    assert.deepEqual(launched, ['running', 'high1', 'high2', 'frac', 'mid1', 'mid2', 'low1', 'low2']);
  });

  test('enqueue returns the position in the queue (0 = next)', () => {
    const { scheduler } = makeScheduler(1);
    scheduler.enqueue(item('running'));
    assert.equal(scheduler.enqueue(item('a')), 0);
    assert.equal(scheduler.enqueue(item('b')), 1);
    assert.equal(scheduler.enqueue(item('urgent', 10)), 0);
    assert.equal(scheduler.enqueue(item('c')), 3);
  });

  test('an item with an earlier sequence goes before later ones of the same priority', () => {
    const { scheduler, launched } = makeScheduler(1);
    scheduler.enqueue({ id: 'running', priority: 0, sequence: 100 });
    scheduler.enqueue({ id: 'late', priority: 0, sequence: 102 });
    scheduler.enqueue({ id: 'early', priority: 0, sequence: 101 });
    scheduler.release();
    scheduler.release();
    assert.deepEqual(launched, ['running', 'early', 'late']);
  });

  test('2,000 items in random order, with releases between: each launches in the order a sort gives', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const { scheduler, launched } = makeScheduler(1);
    const waiting: Item[] = [];
    const expected: string[] = [];
    const byTurn = (a: Item, b: Item) => b.priority - a.priority || a.sequence - b.sequence;
    for (let i = 0; i < 2_000; i++) {
      // Runs of in-order arrivals (the usual case), broken by other priorities and late sequences
      // (each unique: sequences never tie).
      const priority = random(4) === 0 ? random(3) - 1 : 0;
      const next: Item = {
        id: `i${i}`,
        priority,
        sequence: random(5) === 0 ? random(i + 1) - 0.5 + i / 1e6 : i,
      };
      const position = scheduler.enqueue(next);
      if (i === 0) {
        expected.push(next.id); // a free slot: launched at once
        continue;
      }
      waiting.push(next);
      waiting.sort(byTurn);
      assert.equal(position, waiting.indexOf(next), `position of ${next.id}`);
      if (random(3) === 0) {
        scheduler.release();
        expected.push(waiting.shift()!.id);
      }
    }
    while (waiting.length > 0) {
      scheduler.release();
      expected.push(waiting.shift()!.id);
    }
    assert.deepEqual(launched, expected);
  });

  test('raising maxWorkers launches waiting items at once', () => {
    const { scheduler, launched } = makeScheduler(1);
    for (const id of ['a', 'b', 'c', 'd']) scheduler.enqueue(item(id));
    assert.deepEqual(launched, ['a']);
    scheduler.maxWorkers = 3;
    assert.equal(scheduler.maxWorkers, 3);
    assert.deepEqual(launched, ['a', 'b', 'c']);
    assert.equal(scheduler.running, 3);
    scheduler.maxWorkers = Number.POSITIVE_INFINITY;
    assert.deepEqual(launched, ['a', 'b', 'c', 'd']);
  });

  test('lowering maxWorkers keeps running items and holds back new ones until below the limit', () => {
    const { scheduler, launched } = makeScheduler(3);
    for (const id of ['a', 'b', 'c', 'd']) scheduler.enqueue(item(id));
    scheduler.maxWorkers = 1;
    assert.equal(scheduler.running, 3);
    scheduler.release();
    scheduler.release();
    assert.deepEqual(launched, ['a', 'b', 'c']);
    scheduler.release();
    assert.deepEqual(launched, ['a', 'b', 'c', 'd']);
    assert.equal(scheduler.running, 1);
  });

  test('Infinity launches everything', () => {
    const { scheduler, launched } = makeScheduler(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 100; i++) scheduler.enqueue(item(`i${i}`));
    assert.equal(launched.length, 100);
    assert.equal(scheduler.queued, 0);
  });

  test('remove() takes a waiting item out; false when it is not waiting', () => {
    const { scheduler, launched } = makeScheduler(1);
    const a = item('a');
    const b = item('b');
    const c = item('c');
    scheduler.enqueue(a);
    scheduler.enqueue(b);
    scheduler.enqueue(c);
    assert.equal(scheduler.remove(b), true);
    assert.equal(scheduler.remove(b), false);
    assert.equal(scheduler.remove(a), false, 'a runs, it is not waiting');
    assert.equal(scheduler.queued, 1);
    scheduler.release();
    assert.deepEqual(launched, ['a', 'c']);
  });

  test('drain() returns every waiting item in order and empties the queue', () => {
    const { scheduler, launched } = makeScheduler(1);
    scheduler.enqueue(item('a'));
    scheduler.enqueue(item('b'));
    scheduler.enqueue(item('c', 1));
    const drained = scheduler.drain();
    assert.deepEqual(
      drained.map((drainedItem) => drainedItem.id),
      ['c', 'b'],
    );
    assert.equal(scheduler.queued, 0);
    assert.equal(scheduler.running, 1);
    scheduler.release();
    assert.deepEqual(launched, ['a']);
    assert.equal(scheduler.running, 0);
  });

  test('a launch callback that enqueues more work keeps within the limit', () => {
    const launched: string[] = [];
    const scheduler: Scheduler<Item> = new Scheduler<Item>(2, (launchedItem) => {
      launched.push(launchedItem.id);
      if (launchedItem.id === 'a') scheduler.enqueue(item('child'));
    });
    scheduler.enqueue(item('a'));
    scheduler.enqueue(item('b'));
    assert.ok(scheduler.running <= 2);
    assert.equal(scheduler.running + scheduler.queued, 3);
    assert.deepEqual(launched.slice(0, 1), ['a']);
  });
});
