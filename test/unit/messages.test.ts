import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeError } from '../../src/errors.ts';
import { type ChildMessage, isChildMessage } from '../../src/protocol/messages.ts';

test('isChildMessage takes every message of the protocol, in each of its forms', () => {
  const error = serializeError(new Error('broke', { cause: new TypeError('under') }));
  const messages: ChildMessage[] = [
    { type: 'lifecycle', phase: 'started' },
    { type: 'lifecycle', phase: 'stopping' },
    { type: 'error', phase: 'work', error },
    { type: 'error', phase: 'runtime', error: { name: 'E', message: 'm', stack: undefined } },
    { type: 'done', outcome: 'completed', result: { any: ['thing'] } },
    { type: 'done', outcome: 'failed', result: undefined },
    { type: 'log', line: '{"msg":"x"}\n' },
    { type: 'heartbeat', sequence: 3 },
    { type: 'heartbeats', sequences: [4, 5, 6] },
    { type: 'finished', exitCode: 0 },
    { type: 'finished', exitCode: null, memoryMb: 12.5 },
    { type: 'nested', event: { type: 'agent:started', payload: { agent: 'child' } } },
    { type: 'event', name: 'stop', value: true },
    { type: 'event', name: 'stopRequested', value: false },
  ];
  for (const message of messages) assert.equal(isChildMessage(message), true, JSON.stringify(message));
});

test('isChildMessage drops what is not one: other values, unknown types, fields of the wrong kind', () => {
  const junk: unknown[] = [
    undefined,
    null,
    7,
    'log',
    {},
    { type: 7 },
    { type: 'nonsense' },
    { type: 'lifecycle', phase: 'weird' },
    { type: 'error', phase: 'work', error: 42 },
    { type: 'error', phase: 'elsewhere', error: { name: 'E', message: 'm' } },
    { type: 'error', phase: 'work', error: { name: 'E', message: 'm', cause: 'x' } },
    { type: 'done', outcome: 'exploded' },
    { type: 'log', line: 5 },
    { type: 'heartbeat', sequence: '1' },
    { type: 'heartbeats', sequences: 'x' },
    { type: 'heartbeats', sequences: [1, '2'] },
    { type: 'finished', exitCode: 'now' },
    { type: 'finished', exitCode: null },
    { type: 'nested', event: null },
    { type: 'nested', event: { type: 'agent:started' } },
    { type: 'event', name: 'bogus', value: true },
    { type: 'event', name: 'stop', value: 'yes' },
  ];
  for (const value of junk) assert.equal(isChildMessage(value), false, JSON.stringify(value));
});
