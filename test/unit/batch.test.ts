import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentState } from '../../src/orchestrator/agent-state.ts';
import { Batch, type BatchCounts } from '../../src/orchestrator/batch.ts';

const error = { name: 'Error', message: 'boom', code: undefined, stack: undefined };
type Unstamped = AgentState extends infer S ? (S extends AgentState ? Omit<S, 'since'> : never) : never;
const at = (state: Unstamped) => ({ ...state, since: 0 }) as AgentState;
/** `batch` is told an agent went from `from` to `state` (with its object, as the orchestrator gives it). */
const enter = (batch: Batch, from: AgentState['status'], state: AgentState) =>
  batch.transition(from, state.status, state);

function tracked() {
  const said: (string | BatchCounts)[] = [];
  const batch = new Batch({ opened: () => said.push('opened'), ended: (counts) => said.push({ ...counts }) });
  return { batch, said };
}

/** A batch of one agent that waits, then ends as `end`. */
function oneAgentBatch(batch: Batch, end: AgentState): void {
  batch.open();
  enter(batch, 'registered', at({ status: 'waiting' }));
  enter(batch, 'waiting', end);
  batch.end();
}

describe('Batch', () => {
  test('counts each agent in while it waits or runs, and out by how it ended', () => {
    const { batch, said } = tracked();
    batch.open();
    const ends: AgentState[] = [
      at({ status: 'completed', result: 1 }),
      at({ status: 'stopped', reason: 'stopped' }),
      at({ status: 'stopped', reason: 'killed' }),
      at({ status: 'failed', reason: 'failed', error, exitCode: 1, signal: null }),
      at({ status: 'failed', reason: 'killed', error, exitCode: null, signal: 'SIGKILL' }),
    ];
    for (let index = 0; index < ends.length; index++) enter(batch, 'registered', at({ status: 'waiting' }));
    enter(batch, 'registered', at({ status: 'skipped', reason: 'dependency failed' })); // never active
    assert.equal(batch.idle, false);
    for (const end of ends) {
      enter(batch, 'waiting', at({ status: 'starting' })); // still active: not counted twice
      enter(batch, 'running', end);
    }
    assert.equal(batch.idle, true);
    batch.end();
    assert.deepEqual(said, ['opened', { completed: 1, stopped: 1, failed: 1, killed: 2, skipped: 0 }]);
  });

  test('a completed agent counts without a state object (the orchestrator gives none for it)', () => {
    const { batch, said } = tracked();
    batch.open();
    batch.transition('registered', 'waiting', undefined);
    batch.transition('waiting', 'starting', undefined);
    batch.transition('starting', 'completed', undefined);
    batch.end();
    assert.deepEqual(said[1], { completed: 1, stopped: 0, failed: 0, killed: 0, skipped: 0 });
  });

  test('a skip of a waiting agent is counted as skipped', () => {
    const { batch, said } = tracked();
    oneAgentBatch(batch, at({ status: 'skipped', reason: 'dependency failed' }));
    assert.deepEqual(said[1], { completed: 0, stopped: 0, failed: 0, killed: 0, skipped: 1 });
  });

  test('admitting keeps it from being idle; join resolves when it ends, at once when none is open', async () => {
    const { batch, said } = tracked();
    await batch.join();
    batch.open();
    batch.open(); // already open: said once
    batch.admitting = true;
    assert.equal(batch.idle, false);
    batch.admitting = false;
    assert.equal(batch.idle, true);
    const joined = batch.join();
    batch.end();
    batch.end(); // already ended: said once
    await joined;
    assert.equal(said.filter((entry) => entry === 'opened').length, 1);
    assert.equal(said.length, 2);
  });

  test('a new batch starts its counts afresh', () => {
    const { batch, said } = tracked();
    oneAgentBatch(batch, at({ status: 'stopped', reason: 'stopped' }));
    batch.open();
    batch.end();
    assert.deepEqual(said.at(-1), { completed: 0, stopped: 0, failed: 0, killed: 0, skipped: 0 });
  });
});
