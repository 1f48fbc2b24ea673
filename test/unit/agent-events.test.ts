import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AGENT_EVENT_KEYS, AgentEvents } from '../../src/events/agent-events.ts';
import { SharedEvent } from '../../src/events/shared-event.ts';

const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AgentEvents: values', () => {
  test('the gates start open and everything else cleared, made or not', () => {
    const unmade = new AgentEvents();
    const made = new AgentEvents();
    for (const key of AGENT_EVENT_KEYS) {
      const open = key === 'setup' || key === 'execute';
      assert.equal(unmade.isSet(key), open, key);
      assert.equal(made.get(key).isSet(), open, key);
    }
  });

  test('set, clear and isSet before an event is made; it is made with that value', () => {
    const events = new AgentEvents();
    events.set('started');
    events.clear('setup');
    assert.equal(events.isSet('started'), true);
    assert.equal(events.isSet('setup'), false);
    assert.equal(events.get('started').isSet(), true);
    assert.equal(events.get('setup').isSet(), false);
  });

  test('once made, the event is the value: changes either way are seen by both', () => {
    const events = new AgentEvents();
    const ready = events.get('ready');
    assert.equal(events.get('ready'), ready, 'made once');
    ready.set();
    assert.equal(events.isSet('ready'), true);
    events.clear('ready');
    assert.equal(ready.isSet(), false);
  });

  test('its bits stand for it while nothing is made or watched; events made from them are the same', () => {
    const events = new AgentEvents();
    events.set('started');
    events.clear('execute');
    const bits = events.bits;
    assert.notEqual(bits, undefined);
    const again = new AgentEvents(undefined, undefined, bits);
    for (const key of AGENT_EVENT_KEYS) assert.equal(again.isSet(key), events.isSet(key), key);
    for (const key of AGENT_EVENT_KEYS) assert.equal(AgentEvents.isSetIn(bits!, key), events.isSet(key), key);
    again.resetRun();
    const reset = AgentEvents.resetBits(bits!);
    for (const key of AGENT_EVENT_KEYS) assert.equal(AgentEvents.isSetIn(reset, key), again.isSet(key), key);

    const watched = new AgentEvents();
    const cancel = watched.whenAnySet(['stop'], () => {});
    assert.equal(watched.bits, undefined, 'a watch needs the object');
    cancel();
    assert.notEqual(watched.bits, undefined);
    watched.get('ready');
    assert.equal(watched.bits, undefined, 'a made event may be held outside');
    assert.equal(new AgentEvents({ setup: new SharedEvent(true) }).bits, undefined, 'a given event too');
  });

  test('events given at registration are used as they are', () => {
    const setup = new SharedEvent(false);
    const closed = new SharedEvent(true);
    const events = new AgentEvents({ setup }, { closed });
    assert.equal(events.get('setup'), setup);
    assert.equal(events.get('closed'), closed);
    assert.equal(events.isSet('setup'), false);
    assert.equal(events.control.setup, setup);
    assert.equal(events.state.closed, closed);
  });

  test('control, state and all() are made events, the same records every time', () => {
    const events = new AgentEvents();
    events.set('ready');
    assert.equal(events.control, events.control);
    assert.equal(events.state, events.state);
    assert.deepEqual(Object.keys(events.control), ['setup', 'execute', 'stop']);
    assert.deepEqual(Object.keys(events.state), ['started', 'ready', 'closed']);
    assert.equal(events.state.ready.isSet(), true);
    const all = events.all();
    assert.deepEqual(Object.keys(all), [...AGENT_EVENT_KEYS]);
    assert.equal(all.ready, events.state.ready);
  });

  test('resetRun clears the states and the stop request, made or not, and leaves the gates and stop', () => {
    const events = new AgentEvents();
    const ready = events.get('ready');
    for (const key of AGENT_EVENT_KEYS) events.set(key);
    events.resetRun();
    for (const key of AGENT_EVENT_KEYS) {
      const kept = key === 'setup' || key === 'execute' || key === 'stop';
      assert.equal(events.isSet(key), kept, key);
    }
    assert.equal(ready.isSet(), false);
  });
});

describe('AgentEvents: whenAnySet', () => {
  test('on an event not made: called once, in a microtask after the set, not during it', async () => {
    const events = new AgentEvents();
    let calls = 0;
    events.whenAnySet(['stop'], () => calls++);
    events.set('stopRequested'); // another event: not this watch
    events.set('stop');
    assert.equal(calls, 0);
    await microtasks();
    assert.equal(calls, 1);
    events.clear('stop');
    events.set('stop');
    await microtasks();
    assert.equal(calls, 1);
  });

  test('on an event already set: called soon', async () => {
    const events = new AgentEvents();
    events.set('stop');
    const called = new Promise<void>((resolve) => events.whenAnySet(['stop'], resolve));
    await called;
  });

  test('cancelled before the set, or between the set and its microtask: never called', async () => {
    const events = new AgentEvents();
    let calls = 0;
    events.whenAnySet(['stop'], () => calls++)();
    const late = events.whenAnySet(['stop'], () => calls++);
    const kept = new Promise<void>((resolve) => events.whenAnySet(['stop'], resolve));
    events.set('stop');
    late();
    await kept;
    await microtasks();
    assert.equal(calls, 0);
  });

  test('a watch made before the event moves onto it: a set on the event itself calls it', async () => {
    const events = new AgentEvents();
    let calls = 0;
    events.whenAnySet(['stop'], () => calls++);
    const called = new Promise<void>((resolve) => events.whenAnySet(['stop'], resolve));
    const cancelled = events.whenAnySet(['stop'], () => calls++);
    const stop = events.get('stop'); // e.g. the user reads entry.controlEvents
    cancelled();
    stop.set();
    await called;
    await microtasks();
    assert.equal(calls, 1);
  });

  test('watches of other events stay when one is set', async () => {
    const events = new AgentEvents();
    const calls: string[] = [];
    events.whenAnySet(['stop'], () => calls.push('stop'));
    events.whenAnySet(['stopRequested'], () => calls.push('stopRequested'));
    events.set('stopRequested');
    await microtasks();
    events.set('stop');
    await microtasks();
    assert.deepEqual(calls, ['stopRequested', 'stop']);
  });

  test('over several events: called once, for whichever is set first; the other set later calls nothing', async () => {
    const events = new AgentEvents();
    let calls = 0;
    events.whenAnySet(['stopRequested', 'stop'], () => calls++);
    events.set('stop');
    events.set('stopRequested');
    await microtasks();
    assert.equal(calls, 1);
  });

  test('over several events, one of them made: the watch moves onto all of them and fires once', async () => {
    for (const made of ['before', 'during'] as const) {
      const events = new AgentEvents();
      if (made === 'before') events.get('stop');
      let calls = 0;
      events.whenAnySet(['stopRequested', 'stop'], () => calls++);
      if (made === 'during') events.get('stop');
      events.get('stopRequested').set();
      events.get('stop').set();
      await microtasks();
      assert.equal(calls, 1, made);
    }
  });

  test('over several events, made and cancelled: never called', async () => {
    const events = new AgentEvents();
    let calls = 0;
    const cancel = events.whenAnySet(['stopRequested', 'stop'], () => calls++);
    events.get('stop');
    cancel();
    events.set('stop');
    events.set('stopRequested');
    await microtasks();
    assert.equal(calls, 0);
  });
});
