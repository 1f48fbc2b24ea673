import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OrchestratorError } from '../../src/errors.ts';
import {
  type AgentStatus,
  assertTransition,
  canTransition,
  isLive,
  isTerminal,
} from '../../src/orchestrator/agent-state.ts';

const ALL: readonly AgentStatus[] = [
  'registered',
  'waiting',
  'starting',
  'ready',
  'running',
  'stopping',
  'completed',
  'stopped',
  'failed',
  'skipped',
];

/**
 * The lifecycle from the spec: registered -> waiting -> starting -> ready -> running -> stopping ->
 * completed | stopped | failed | skipped, and back to waiting on a restart.
 */
const ALLOWED: Record<AgentStatus, readonly AgentStatus[]> = {
  registered: ['waiting', 'stopped', 'skipped'],
  waiting: ['starting', 'stopped', 'skipped'],
  starting: ['ready', 'running', 'stopping', 'completed', 'stopped', 'failed'],
  ready: ['running', 'stopping', 'completed', 'stopped', 'failed'],
  running: ['stopping', 'completed', 'stopped', 'failed'],
  stopping: ['completed', 'stopped', 'failed'],
  completed: ['waiting'],
  stopped: ['waiting'],
  failed: ['waiting'],
  skipped: ['waiting'],
};

describe('agent-state', () => {
  test('the main path is allowed step by step, and a restart goes back to waiting', () => {
    const path: AgentStatus[] = [
      'registered',
      'waiting',
      'starting',
      'ready',
      'running',
      'stopping',
      'stopped',
    ];
    for (let i = 1; i < path.length; i++) {
      assert.doesNotThrow(() => assertTransition('a', path[i - 1]!, path[i]!));
    }
    for (const end of ['completed', 'stopped', 'failed', 'skipped'] as const) {
      assert.equal(canTransition(end, 'waiting'), true, `${end} -> waiting`);
    }
  });

  test('every pair follows the transition table', () => {
    for (const from of ALL) {
      for (const to of ALL) {
        assert.equal(canTransition(from, to), ALLOWED[from].includes(to), `${from} -> ${to}`);
      }
    }
  });

  test('no state goes to itself', () => {
    for (const status of ALL) assert.equal(canTransition(status, status), false, status);
  });

  test('refused transitions throw ERR_AGENT_STATE naming the agent and both states', () => {
    const refused: [AgentStatus, AgentStatus][] = [
      ['registered', 'running'],
      ['registered', 'starting'],
      ['waiting', 'ready'],
      ['waiting', 'failed'],
      ['stopping', 'running'],
      ['completed', 'running'],
      ['completed', 'failed'],
      ['failed', 'starting'],
      ['skipped', 'completed'],
      ['running', 'ready'],
      ['running', 'waiting'],
    ];
    for (const [from, to] of refused) {
      assert.throws(
        () => assertTransition('worker-1', from, to),
        (error: unknown) => {
          assert.ok(error instanceof OrchestratorError);
          assert.equal(error.code, 'ERR_AGENT_STATE');
          assert.match(error.message, /"worker-1"/);
          assert.match(error.message, new RegExp(`from ${from} to ${to}`));
          return true;
        },
        `${from} -> ${to}`,
      );
    }
  });

  test('terminal and live states', () => {
    const terminal = ALL.filter(isTerminal);
    const live = ALL.filter(isLive);
    assert.deepEqual(terminal, ['completed', 'stopped', 'failed', 'skipped']);
    assert.deepEqual(live, ['starting', 'ready', 'running', 'stopping']);
    assert.equal(isTerminal('registered'), false);
    assert.equal(isLive('registered'), false);
    assert.equal(isLive('waiting'), false);
  });

  test('terminal states only leave for waiting', () => {
    for (const from of ALL.filter(isTerminal)) {
      for (const to of ALL) assert.equal(canTransition(from, to), to === 'waiting', `${from} -> ${to}`);
    }
  });
});
