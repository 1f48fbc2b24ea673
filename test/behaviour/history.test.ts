import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HeartbeatPlugin, InvalidOptionError, Orchestrator } from '../../src/index.ts';
import { Doubler, WaitsForStop } from '../fixtures/agents.ts';
import { nextEvent } from '../helpers/events.ts';
import { assertNoLeftovers } from '../helpers/leftovers.ts';
import { createOrchestrator } from '../helpers/orchestrator.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-durable-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('orchestrator event history', () => {
  it('keeps every event, queryable by agent, type, time range and limit', async (t) => {
    const orchestrator = createOrchestrator(t);
    orchestrator.registerAgent(Doubler, { name: 'a' });
    orchestrator.registerAgent(Doubler, { name: 'b' });
    const started = Date.now();
    await orchestrator.start();
    await orchestrator.join();

    const all = orchestrator.history();
    assert.deepEqual(
      all.map(({ seq }) => seq),
      all.map((_, index) => index + 1),
    );
    assert.equal(all.at(-1)?.type, 'orchestrator:all-agents-terminated');
    const ofA = orchestrator.history({ agent: 'a' });
    assert.ok(ofA.length > 0 && ofA.every(({ agent }) => agent === 'a'));
    assert.deepEqual(
      orchestrator.history({ type: 'agent:terminated' }).map(({ agent }) => agent),
      ['a', 'b'],
    );
    assert.deepEqual(
      orchestrator.history({ type: ['agent:started', 'agent:ready'], agent: 'b' }).map(({ type }) => type),
      ['agent:started', 'agent:ready'],
    );
    assert.equal(orchestrator.history({ limit: 2 }).at(-1)?.seq, all.at(-1)?.seq);
    assert.equal(
      orchestrator.history({ since: started }).length,
      all.filter(({ timestamp }) => timestamp >= started).length,
    );
    assert.throws(
      () => orchestrator.history({ since: 10, until: 5 }),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.option === 'query.since' && error.value === 10,
    );
    assert.throws(() => orchestrator.history({ limit: -1 }), { option: 'query.limit' });
  });

  it('retention rules keep only the last N heartbeats per agent; capacity bounds the rest', async (t) => {
    const orchestrator = createOrchestrator(t, {
      history: { capacity: 50, retention: { 'agent:heartbeat': { perAgent: 2 } } },
    });
    const entry = orchestrator.registerAgent(WaitsForStop, {
      name: 'beating',
      plugins: [new HeartbeatPlugin({ interval: 1 })],
    });
    const tenth = nextEvent(orchestrator, 'agent:heartbeat', ({ sequence }) => sequence === 10);
    await orchestrator.start();
    await tenth;
    await entry.stop();
    const beats = orchestrator.history({ type: 'agent:heartbeat' });
    assert.equal(beats.length, 2);
    assert.ok(orchestrator.history().length <= 50);
    assert.ok(
      orchestrator.history({ type: 'agent:registered' }).length === 1,
      'heartbeats did not push out the rest',
    );
    assert.throws(() => new Orchestrator({ history: { capacity: 0 } }), { option: 'history.capacity' });
    assert.throws(() => new Orchestrator({ history: { file: '' } }), { option: 'history' });
  });

  it('durable history: after a SIGKILL of the orchestrator, every event it emitted is in the file', async () => {
    const file = join(dir, 'crash.db');
    const fixture = new URL('../fixtures/durable-orchestrator.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [fixture, file], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const closed = once(child, 'close');
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const reported: number[] = [];
    let partial = '';
    const enough = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) reported.push(Number(line));
        if (reported.length >= 300) resolve();
      });
    });
    await Promise.race([enough, closed.then(() => assert.fail(`the child ended early:\n${stderr}`))]);
    child.kill('SIGKILL');
    const [, signal] = await closed;
    assert.equal(signal, 'SIGKILL');

    const stored = new Set(Orchestrator.readHistory(file).map(({ seq }) => seq));
    const missing = reported.filter((seq) => !stored.has(seq));
    assert.deepEqual(missing, [], `${missing.length} of ${reported.length} reported events missing`);
    const terminated = Orchestrator.readHistory(file, { type: 'agent:terminated', limit: 1 });
    assert.equal(terminated.length, 1);
    await assertNoLeftovers();
  });
});
