import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { agentEnv } from '../../src/runtime/agent-env.ts';
import { agentExecArgv } from '../../src/runtime/spawn-process.ts';
import { ReportsCompileCache, ReportsExecArgv } from '../fixtures/agents.ts';
import { createOrchestrator } from '../helpers/orchestrator.ts';

const saved = { cache: process.env.NODE_COMPILE_CACHE, disable: process.env.NODE_DISABLE_COMPILE_CACHE };
const restore = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

describe('agentEnv: the compile cache for agent threads and processes', () => {
  afterEach(() => {
    restore('NODE_COMPILE_CACHE', saved.cache);
    restore('NODE_DISABLE_COMPILE_CACHE', saved.disable);
  });

  test('turns it on in the OS temp dir, as module.enableCompileCache() would, and keeps the rest of the environment', () => {
    delete process.env.NODE_COMPILE_CACHE;
    delete process.env.NODE_DISABLE_COMPILE_CACHE;
    const env = agentEnv();
    assert.equal(env.NODE_COMPILE_CACHE, join(tmpdir(), 'node-compile-cache'));
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(process.env.NODE_COMPILE_CACHE, undefined, 'our own environment is untouched');
  });

  test("leaves the user's directory, or the user's choice to disable it, alone", () => {
    process.env.NODE_COMPILE_CACHE = '/somewhere/else';
    assert.equal(agentEnv().NODE_COMPILE_CACHE, '/somewhere/else');
    delete process.env.NODE_COMPILE_CACHE;
    process.env.NODE_DISABLE_COMPILE_CACHE = '1';
    assert.equal(agentEnv().NODE_COMPILE_CACHE, undefined);
  });

  for (const mode of ['thread', 'process'] as const) {
    test(`a ${mode} agent runs with the compile cache on, or off when the user disables it`, async (t) => {
      delete process.env.NODE_COMPILE_CACHE;
      delete process.env.NODE_DISABLE_COMPILE_CACHE;
      const orchestrator = createOrchestrator(t);
      const on = orchestrator.registerAgent(ReportsCompileCache, { mode, name: 'on' });
      await orchestrator.start();
      await orchestrator.join();
      assert.ok(
        String(on.result).startsWith(join(tmpdir(), 'node-compile-cache')),
        `cache dir: ${String(on.result)}`,
      );
      process.env.NODE_DISABLE_COMPILE_CACHE = '1';
      const off = orchestrator.registerAgent(ReportsCompileCache, { mode, name: 'off' });
      await off.start();
      await orchestrator.join();
      assert.equal(off.result, null);
    });
  }
});

describe("agentExecArgv: an agent process's Node flags", () => {
  const START = '--min-semi-space-size=2';

  test('the young generation starts at 2 MiB a semi-space; a heap limit becomes --max-old-space-size', () => {
    assert.ok(agentExecArgv(undefined, {}).includes(START));
    const limited = agentExecArgv(64.4, {});
    assert.ok(limited.includes('--max-old-space-size=64') && limited.includes(START), limited.join(' '));
  });

  test("a semi-space size of the user's, in NODE_OPTIONS, is left to decide", () => {
    for (const flag of ['--max-semi-space-size=1', '--min_semi_space_size=4']) {
      assert.ok(
        !agentExecArgv(undefined, { NODE_OPTIONS: `--trace-warnings ${flag}` }).includes(START),
        flag,
      );
    }
  });

  test('a process agent runs with them', async (t) => {
    const orchestrator = createOrchestrator(t);
    const entry = orchestrator.registerAgent(ReportsExecArgv, { mode: 'process', name: 'flags' });
    await orchestrator.start();
    await orchestrator.join();
    assert.ok((entry.result as string[]).includes(START), String(entry.result));
  });
});
