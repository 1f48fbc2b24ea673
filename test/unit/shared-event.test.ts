import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError } from '../../src/errors.ts';
import { SharedEvent } from '../../src/events/shared-event.ts';

type WorkerMessage =
  | { type: 'done'; isSet: boolean }
  | { type: 'waiting'; isSet: boolean }
  | { type: 'woke'; result: boolean };

function startWorker(buffer: SharedArrayBuffer, action: 'set' | 'wait'): Worker {
  return new Worker(new URL('./fixtures/shared-event-worker.ts', import.meta.url), {
    workerData: { buffer, action },
  });
}

async function nextMessage(worker: Worker): Promise<WorkerMessage> {
  const [message] = (await once(worker, 'message')) as [WorkerMessage];
  return message;
}

describe('SharedEvent: one thread', () => {
  test('starts cleared, or set when asked', () => {
    assert.equal(new SharedEvent().isSet(), false);
    assert.equal(new SharedEvent(false).isSet(), false);
    assert.equal(new SharedEvent(true).isSet(), true);
  });

  test('set, clear and isSet; setting twice or clearing twice is harmless', () => {
    const event = new SharedEvent();
    event.set();
    event.set();
    assert.equal(event.isSet(), true);
    event.clear();
    event.clear();
    assert.equal(event.isSet(), false);
    event.set();
    assert.equal(event.isSet(), true);
  });

  test('wait resolves true at once when already set (also with a zero timeout or an aborted signal)', async () => {
    const event = new SharedEvent(true);
    assert.equal(await event.wait(), true);
    assert.equal(await event.wait(0), true);
    assert.equal(await event.wait({ timeout: 0 }), true);
    assert.equal(await event.wait({ signal: AbortSignal.abort() }), true);
  });

  test('wait(timeout) resolves false when the event is never set', async () => {
    const event = new SharedEvent();
    assert.equal(await event.wait(1), false);
    assert.equal(await event.wait({ timeout: 5 }), false);
    assert.equal(event.isSet(), false);
  });

  test('wait(0) resolves false at once when not set', async () => {
    assert.equal(await new SharedEvent().wait(0), false);
  });

  test('a pending wait resolves true when the event is set later', async () => {
    const event = new SharedEvent();
    let settled = false;
    const waiting = event.wait().then((value) => {
      settled = true;
      return value;
    });
    await Promise.resolve();
    assert.equal(settled, false);
    event.set();
    assert.equal(await waiting, true);
  });

  test('a pending wait with a timeout still resolves true when set before the timeout', async () => {
    const event = new SharedEvent();
    const waiting = event.wait(600_000);
    event.set();
    assert.equal(await waiting, true);
  });

  test('several waiters are all woken by one set', async () => {
    const event = new SharedEvent();
    const waits = [event.wait(), event.wait(), event.wait({ timeout: 600_000 })];
    event.set();
    assert.deepEqual(await Promise.all(waits), [true, true, true]);
  });

  test('wait with an AbortSignal resolves false on abort', async () => {
    const event = new SharedEvent();
    const controller = new AbortController();
    const waiting = event.wait({ signal: controller.signal });
    controller.abort();
    assert.equal(await waiting, false);
    assert.equal(event.isSet(), false);
  });

  test('wait with an already aborted signal resolves false at once', async () => {
    assert.equal(await new SharedEvent().wait({ signal: AbortSignal.abort() }), false);
  });

  test('aborting one waiter leaves the other waiters waiting', async () => {
    const event = new SharedEvent();
    const controller = new AbortController();
    const aborted = event.wait({ signal: controller.signal });
    const other = event.wait();
    controller.abort();
    assert.equal(await aborted, false);
    event.set();
    assert.equal(await other, true);
  });

  test('new SharedEvent(buffer) shares state with the original, both ways', async () => {
    const original = new SharedEvent();
    const copy = new SharedEvent(original.buffer);
    assert.equal(copy.buffer, original.buffer);
    original.set();
    assert.equal(copy.isSet(), true);
    copy.clear();
    assert.equal(original.isSet(), false);
    const waiting = original.wait();
    copy.set();
    assert.equal(await waiting, true);
  });

  test('local set and clear are reported to onLocalChange; applyRemote is not', () => {
    const event = new SharedEvent();
    const seen: boolean[] = [];
    event.onLocalChange((value) => seen.push(value));
    event.set();
    event.clear();
    event.applyRemote(true);
    assert.equal(event.isSet(), true);
    event.applyRemote(false);
    assert.equal(event.isSet(), false);
    event.onLocalChange(undefined);
    event.set();
    assert.deepEqual(seen, [true, false]);
  });

  test('changed() resolves with the new value once it differs from the known one', async () => {
    const event = new SharedEvent();
    const changed = event.changed(false);
    event.set();
    assert.equal(await changed, true);
    const cleared = event.changed(true);
    event.clear();
    assert.equal(await cleared, false);
  });
});

describe('SharedEvent: a pulse (set, then clear at once)', () => {
  // Without pulses the waits would never end: the timeout turns that into a failure.
  test('releases every wait pending at the set, as threading.Event does; waits begun after it wait', {
    timeout: 10_000,
  }, async () => {
    for (const shared of [false, true]) {
      const event = new SharedEvent();
      if (shared) void event.buffer; // moved into shared memory: waits go through Atomics.waitAsync
      const pending = [
        event.wait(),
        event.wait({ timeout: 60_000 }),
        event.wait({ signal: new AbortController().signal }),
      ];
      event.set();
      event.clear();
      assert.deepEqual(await Promise.all(pending), [true, true, true], `shared: ${shared}`);
      assert.equal(event.isSet(), false);
      assert.equal(await event.wait(0), false, 'a wait begun after the pulse sees it cleared');
    }
  });

  test('the value stays right through many changes, shared or not', () => {
    for (const shared of [false, true]) {
      const event = new SharedEvent();
      if (shared) void event.buffer;
      for (let change = 0; change < 100_001; change++) {
        if (change % 2 === 0) event.set();
        else event.clear();
      }
      assert.equal(event.isSet(), true, `shared: ${shared}`);
      event.set(); // already set: no change
      assert.equal(new SharedEvent(event.buffer).isSet(), true);
    }
  });
});

describe('SharedEvent: bad arguments', () => {
  const names = (option: string) => (error: unknown) =>
    error instanceof InvalidOptionError && error.option === option;

  test('the constructor takes a boolean or an event buffer, nothing that merely looks like one', () => {
    for (const initial of ['false', 1, 0, null, {}, new SharedArrayBuffer(2), 10n]) {
      assert.throws(() => new SharedEvent(initial as never), names('initial'), String(initial));
    }
    assert.equal(new SharedEvent(undefined).isSet(), false);
  });

  // The timeout only turns a regression (a wait that never ends) into a failure instead of a hang.
  test('wait refuses a timeout or signal it cannot honour, by rejecting (it would have waited forever)', {
    timeout: 10_000,
  }, async () => {
    const event = new SharedEvent();
    await assert.rejects(event.wait(Number.NaN), names('timeout'));
    await assert.rejects(event.wait({ timeout: '10' as never }), names('timeout'));
    await assert.rejects(event.wait('10' as never), names('wait'));
    await assert.rejects(event.wait(null as never), names('wait'));
    await assert.rejects(event.wait({ signal: {} as never }), names('signal'));
    // A negative timeout has passed already; Infinity and no timeout wait without a limit.
    assert.equal(await event.wait(-5), false);
    const forever = event.wait(Number.POSITIVE_INFINITY);
    event.set();
    assert.equal(await forever, true);
  });

  test('whenSet refuses a listener that is not a function (it would have thrown later, uncaught)', () => {
    assert.throws(() => new SharedEvent(true).whenSet('x' as never), names('listener'));
  });
});

describe('SharedEvent: whenSet (the lifecycle stop watch)', () => {
  /** Resolves after every microtask queued so far (and those they queue) has run. */
  const microtasksDone = () => new Promise<void>((resolve) => setImmediate(resolve));

  test('calls the listener once, in a microtask after the set, not during it', async () => {
    const event = new SharedEvent();
    let calls = 0;
    event.whenSet(() => calls++);
    event.set();
    assert.equal(calls, 0, 'not inside set()');
    await microtasksDone();
    event.clear();
    event.set();
    await microtasksDone();
    assert.equal(calls, 1);
  });

  test('an event already set calls the listener soon', async () => {
    const event = new SharedEvent(true);
    let calls = 0;
    event.whenSet(() => calls++);
    assert.equal(calls, 0);
    await microtasksDone();
    assert.equal(calls, 1);
  });

  test('cancelled first, the listener is never called, and it is not kept', async () => {
    const event = new SharedEvent();
    let calls = 0;
    const kept = event.whenSet(() => calls++);
    for (let i = 0; i < 1000; i++) event.whenSet(() => calls++)(); // restarts that were never stopped
    event.set();
    const late = event.whenSet(() => calls++);
    late(); // cancelled between the set and its microtask
    await microtasksDone();
    assert.equal(calls, 1, 'only the listener that was not cancelled');
    kept(); // cancelling after the call is harmless
    event.clear();
    event.set();
    await microtasksDone();
    assert.equal(calls, 1);
  });

  test('a cancelled listener is not kept reachable from the event (the event outlives many runs)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const event = new SharedEvent(); // a registered agent's stop request: long-lived, mostly never set
    const gone = (() => {
      const run = { bulk: new Array(1000).fill(1) }; // what one run's stop listener holds
      event.whenSet(() => run.bulk.length)(); // the run ended: its watch is cancelled
      return new WeakRef(run);
    })();
    await microtasksDone();
    gc();
    assert.equal(gone.deref(), undefined, 'what the listener held was collected');
  });

  test('still called when the event moves into shared memory and another thread sets it', async () => {
    const event = new SharedEvent();
    let resolve!: () => void;
    const called = new Promise<void>((done) => {
      resolve = done;
    });
    event.whenSet(resolve);
    const worker = startWorker(event.buffer, 'set');
    try {
      assert.deepEqual(await nextMessage(worker), { type: 'done', isSet: true });
      await called;
    } finally {
      await worker.terminate();
    }
  });

  test('on shared memory, cancelled before another thread sets it: never called', async () => {
    const event = new SharedEvent();
    const copy = new SharedEvent(event.buffer); // the same memory, as another thread has it
    let cancelledCalls = 0;
    event.whenSet(() => cancelledCalls++)();
    const called = new Promise<void>((resolve) => event.whenSet(resolve));
    copy.set();
    await called;
    await microtasksDone();
    assert.equal(cancelledCalls, 0);
  });
});

describe('SharedEvent: across threads', () => {
  test('a set in a worker thread wakes a wait on the main thread', async () => {
    const event = new SharedEvent();
    const waiting = event.wait();
    const worker = startWorker(event.buffer, 'set');
    try {
      const message = await nextMessage(worker);
      assert.deepEqual(message, { type: 'done', isSet: true });
      assert.equal(await waiting, true);
      assert.equal(event.isSet(), true);
    } finally {
      await worker.terminate();
    }
  });

  // Without pulses the waits would never end: the timeout turns that into a failure.
  test('a set and clear at once on the main thread (a pulse) still wakes a wait in a worker thread', {
    timeout: 10_000,
  }, async () => {
    const event = new SharedEvent();
    const worker = startWorker(event.buffer, 'wait');
    try {
      assert.deepEqual(await nextMessage(worker), { type: 'waiting', isSet: false });
      const woke = nextMessage(worker);
      event.set();
      event.clear(); // before the worker's waitAsync can have seen the set
      assert.deepEqual(await woke, { type: 'woke', result: true });
    } finally {
      await worker.terminate();
    }
  });

  test('a set on the main thread wakes a wait in a worker thread', async () => {
    const event = new SharedEvent();
    const worker = startWorker(event.buffer, 'wait');
    try {
      const waiting = await nextMessage(worker);
      assert.deepEqual(waiting, { type: 'waiting', isSet: false });
      const woke = nextMessage(worker);
      event.set();
      assert.deepEqual(await woke, { type: 'woke', result: true });
    } finally {
      await worker.terminate();
    }
  });
});
