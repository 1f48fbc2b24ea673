import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TypedEmitter } from '../../src/events/typed-emitter.ts';

interface Events {
  ping: { n: number };
  pong: string;
}

type Reported = { error: unknown; event: keyof Events };

function makeEmitter(): { emitter: TypedEmitter<Events>; reported: Reported[] } {
  const reported: Reported[] = [];
  const emitter = new TypedEmitter<Events>((error, event) => reported.push({ error, event }));
  return { emitter, reported };
}

describe('TypedEmitter: listeners', () => {
  test('on delivers every payload of its event only, in registration order', () => {
    const { emitter } = makeEmitter();
    const calls: string[] = [];
    emitter.on('ping', (payload) => calls.push(`a${payload.n}`));
    emitter.on('ping', (payload) => calls.push(`b${payload.n}`));
    emitter.on('pong', (payload) => calls.push(`pong:${payload}`));
    emitter.emit('ping', { n: 1 });
    emitter.emit('ping', { n: 2 });
    assert.deepEqual(calls, ['a1', 'b1', 'a2', 'b2']);
    assert.equal(emitter.listenerCount('ping'), 2);
    assert.equal(emitter.listenerCount('pong'), 1);
  });

  test('emitting an event nobody listens to does nothing', () => {
    const { emitter, reported } = makeEmitter();
    assert.doesNotThrow(() => emitter.emit('pong', 'x'));
    assert.equal(reported.length, 0);
    assert.equal(emitter.listenerCount('pong'), 0);
  });

  test('on, once and off return the emitter for chaining', () => {
    const { emitter } = makeEmitter();
    const listener = () => {};
    assert.equal(emitter.on('ping', listener), emitter);
    assert.equal(emitter.off('ping', listener), emitter);
    assert.equal(emitter.once('ping', listener), emitter);
  });

  test('off removes a listener', () => {
    const { emitter } = makeEmitter();
    const calls: number[] = [];
    const listener = (payload: { n: number }) => calls.push(payload.n);
    emitter.on('ping', listener);
    emitter.emit('ping', { n: 1 });
    emitter.off('ping', listener);
    emitter.emit('ping', { n: 2 });
    assert.deepEqual(calls, [1]);
    assert.equal(emitter.listenerCount('ping'), 0);
  });

  test('off with a listener that was never added is harmless', () => {
    const { emitter } = makeEmitter();
    assert.doesNotThrow(() => emitter.off('ping', () => {}));
    assert.doesNotThrow(() => emitter.off('*', () => {}));
  });

  test('once fires a single time and is then removed', () => {
    const { emitter } = makeEmitter();
    const calls: number[] = [];
    emitter.once('ping', (payload) => calls.push(payload.n));
    emitter.emit('ping', { n: 1 });
    emitter.emit('ping', { n: 2 });
    assert.deepEqual(calls, [1]);
    assert.equal(emitter.listenerCount('ping'), 0);
  });

  test('a once listener can be removed with off before it fires', () => {
    const { emitter } = makeEmitter();
    const calls: number[] = [];
    const listener = (payload: { n: number }) => calls.push(payload.n);
    emitter.once('ping', listener);
    emitter.off('ping', listener);
    emitter.emit('ping', { n: 1 });
    assert.deepEqual(calls, []);
    assert.equal(emitter.listenerCount('ping'), 0);
  });

  test('off removes a once listener that was also registered once for another event', {}, () => {
    const { emitter } = makeEmitter();
    const calls: number[] = [];
    const listener = (payload: { n: number }) => calls.push(payload.n);
    emitter.once('ping', listener);
    emitter.once('pong', listener as never);
    emitter.off('ping', listener);
    emitter.emit('ping', { n: 1 });
    assert.deepEqual(calls, []);
    assert.equal(emitter.listenerCount('ping'), 0);
  });

  test('a once listener that emits the same event again is not called twice', () => {
    const { emitter } = makeEmitter();
    const calls: number[] = [];
    emitter.once('ping', (payload) => {
      calls.push(payload.n);
      emitter.emit('ping', { n: payload.n + 1 });
    });
    emitter.emit('ping', { n: 1 });
    assert.deepEqual(calls, [1]);
  });

  test('the wildcard receives every event tagged with its type, after the named listeners', () => {
    const { emitter } = makeEmitter();
    const calls: unknown[] = [];
    emitter.on('*', (event) => calls.push(event));
    emitter.on('ping', () => calls.push('named'));
    emitter.emit('ping', { n: 1 });
    emitter.emit('pong', 'hello');
    assert.deepEqual(calls, [
      'named',
      { type: 'ping', payload: { n: 1 } },
      { type: 'pong', payload: 'hello' },
    ]);
  });

  test('off("*") removes a wildcard listener', () => {
    const { emitter } = makeEmitter();
    const calls: unknown[] = [];
    const listener = (event: unknown) => calls.push(event);
    emitter.on('*', listener);
    emitter.off('*', listener);
    emitter.emit('pong', 'x');
    assert.deepEqual(calls, []);
  });

  test('next() resolves with the next payload', async () => {
    const { emitter } = makeEmitter();
    const next = emitter.next('pong');
    emitter.emit('ping', { n: 1 });
    emitter.emit('pong', 'first');
    emitter.emit('pong', 'second');
    assert.equal(await next, 'first');
    assert.equal(emitter.listenerCount('pong'), 0);
  });

  test('next() rejects with the abort reason and removes its listener', async () => {
    const { emitter } = makeEmitter();
    const controller = new AbortController();
    const next = emitter.next('pong', controller.signal);
    controller.abort(new Error('gave up'));
    await assert.rejects(next, /gave up/);
    assert.equal(emitter.listenerCount('pong'), 0);
    await assert.rejects(emitter.next('pong', AbortSignal.abort(new Error('already'))), /already/);
    assert.equal(emitter.listenerCount('pong'), 0);
  });
});

describe('TypedEmitter: listener errors', () => {
  test('a throwing listener is reported and the other listeners still run', () => {
    const { emitter, reported } = makeEmitter();
    const calls: string[] = [];
    const boom = new Error('listener broke');
    emitter.on('ping', () => calls.push('first'));
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', () => calls.push('third'));
    emitter.on('*', () => calls.push('wildcard'));
    assert.doesNotThrow(() => emitter.emit('ping', { n: 1 }));
    assert.deepEqual(calls, ['first', 'third', 'wildcard']);
    assert.deepEqual(reported, [{ error: boom, event: 'ping' }]);
  });

  test('a throwing wildcard listener is reported with the event name', () => {
    const { emitter, reported } = makeEmitter();
    const calls: string[] = [];
    emitter.on('*', () => {
      throw new TypeError('wild');
    });
    emitter.on('*', (event) => calls.push(event.type));
    emitter.emit('pong', 'x');
    assert.deepEqual(calls, ['pong']);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]!.event, 'pong');
    assert.ok(reported[0]!.error instanceof TypeError);
  });

  test('a throwing once listener is reported and still removed', () => {
    const { emitter, reported } = makeEmitter();
    emitter.once('pong', () => {
      throw new Error('once broke');
    });
    emitter.emit('pong', 'a');
    emitter.emit('pong', 'b');
    assert.equal(reported.length, 1);
    assert.equal(emitter.listenerCount('pong'), 0);
  });

  test('an async listener that rejects is reported too', async () => {
    let onReported!: (value: { error: unknown; event: keyof Events }) => void;
    const whenReported = new Promise<{ error: unknown; event: keyof Events }>((resolve) => {
      onReported = resolve;
    });
    const emitter = new TypedEmitter<Events>((error, event) => onReported({ error, event }));
    const calls: string[] = [];
    const boom = new Error('async broke');
    emitter.on('pong', async () => {
      await Promise.resolve();
      throw boom;
    });
    emitter.on('pong', (payload) => calls.push(payload));
    emitter.emit('pong', 'x');
    assert.deepEqual(calls, ['x']);
    assert.deepEqual(await whenReported, { error: boom, event: 'pong' });
  });
});

describe('TypedEmitter: stream()', () => {
  test('yields every event in order, tagged with its type', async () => {
    const { emitter } = makeEmitter();
    const iterator = emitter.stream();
    const first = iterator.next();
    emitter.emit('ping', { n: 1 });
    emitter.emit('pong', 'two');
    emitter.emit('ping', { n: 3 });
    assert.deepEqual(await first, { done: false, value: { type: 'ping', payload: { n: 1 } } });
    assert.deepEqual(await iterator.next(), { done: false, value: { type: 'pong', payload: 'two' } });
    assert.deepEqual(await iterator.next(), { done: false, value: { type: 'ping', payload: { n: 3 } } });
    await iterator.return(undefined);
  });

  test('for await ends when the signal aborts', async () => {
    const { emitter } = makeEmitter();
    const controller = new AbortController();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const event of emitter.stream(controller.signal)) {
        seen.push(event.type);
        if (event.type === 'pong') controller.abort();
      }
      return 'ended';
    })();
    // The consumer's first next() has attached the stream's listener synchronously.
    emitter.emit('ping', { n: 1 });
    emitter.emit('pong', 'stop now');
    assert.equal(await consumer, 'ended');
    assert.deepEqual(seen, ['ping', 'pong']);
  });

  test('a pending next() resolves done when the signal aborts', async () => {
    const { emitter } = makeEmitter();
    const controller = new AbortController();
    const iterator = emitter.stream(controller.signal);
    const pending = iterator.next();
    controller.abort();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  test('a stream with an already aborted signal ends at once', async () => {
    const { emitter } = makeEmitter();
    const iterator = emitter.stream(AbortSignal.abort());
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  test('breaking out of the loop ends the stream; other streams keep going', async () => {
    const { emitter } = makeEmitter();
    const kept = emitter.stream();
    const keptFirst = kept.next();
    const broken = (async () => {
      const seen: string[] = [];
      for await (const event of emitter.stream()) {
        seen.push(event.type);
        break;
      }
      return seen;
    })();
    emitter.emit('pong', 'a');
    assert.deepEqual(await broken, ['pong']);
    emitter.emit('ping', { n: 2 });
    assert.deepEqual((await keptFirst).value, { type: 'pong', payload: 'a' });
    assert.deepEqual((await kept.next()).value, { type: 'ping', payload: { n: 2 } });
    await kept.return(undefined);
  });

  test('events emitted after stream() is called but before the first next() are not lost', {}, async () => {
    const { emitter } = makeEmitter();
    const controller = new AbortController();
    const iterator = emitter.stream(controller.signal);
    emitter.emit('pong', 'early');
    const first = iterator.next();
    emitter.emit('pong', 'late');
    const value = await first;
    controller.abort();
    assert.deepEqual(value, { done: false, value: { type: 'pong', payload: 'early' } });
  });
});
