import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedEvent } from '../../src/events/shared-event.ts';
import type { ParentMessage } from '../../src/protocol/messages.ts';
import { EventMirror } from '../../src/runtime/event-mirror.ts';

/** Lets the mirror's watchers run (they wake on promises). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup() {
  const events = { started: new SharedEvent(false), stop: new SharedEvent(false) };
  const sent: ParentMessage[] = [];
  const mirror = new EventMirror(events as never, (message) => sent.push(message));
  return { events, sent, mirror };
}

describe('EventMirror', () => {
  test('a change made on this side is sent to the child, once', async () => {
    const { events, sent, mirror } = setup();
    events.stop.set();
    await settle();
    assert.deepEqual(sent, [{ type: 'event', name: 'stop', value: true }]);
    events.stop.clear();
    await settle();
    assert.deepEqual(sent.at(-1), { type: 'event', name: 'stop', value: false });
    assert.equal(sent.length, 2);
    mirror.close();
  });

  test('a change the child reported is applied here and not sent back to it', async () => {
    const { events, sent, mirror } = setup();
    mirror.apply('started', true);
    await settle();
    assert.equal(events.started.isSet(), true);
    assert.deepEqual(sent, []);
    // A later change made here still goes.
    events.started.clear();
    await settle();
    assert.deepEqual(sent, [{ type: 'event', name: 'started', value: false }]);
    mirror.close();
  });

  test('after close, nothing is sent', async () => {
    const { events, sent, mirror } = setup();
    mirror.close();
    await settle();
    events.stop.set();
    await settle();
    assert.deepEqual(sent, []);
  });
});
