/**
 * The built package (dist/, bundled by scripts/build.ts; build first): its entry points share one
 * copy of every class, and the files threads and processes start from are where the runtime looks.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Specifiers in variables: this file type-checks without dist/.
const packageRoot: string = 'tsorchestrate';
const agentEntry: string = 'tsorchestrate/agent';
const locationsUrl = new URL('../../dist/entry/locations.js', import.meta.url).href;

/** The chunk dist/agent.js re-exports: the whole agent side, host included (`chunks/…js`). */
function agentChunk(): string {
  const facade = readFileSync(new URL('../../dist/agent.js', import.meta.url), 'utf8');
  const chunk = /from "\.\/(chunks\/[^"]+)"/.exec(facade)?.[1];
  assert.ok(chunk, 'dist/agent.js re-exports one chunk');
  return chunk;
}

test('tsorchestrate and tsorchestrate/agent export the very same classes', async () => {
  const root = (await import(packageRoot)) as Record<string, unknown>;
  const agent = (await import(agentEntry)) as Record<string, unknown>;
  const names = Object.keys(agent).filter((name) => typeof agent[name] === 'function');
  assert.ok(names.includes('BaseAgent') && names.includes('SharedEvent') && names.includes('AgentLoadError'));
  for (const name of names) assert.equal(root[name], agent[name], `${name} is one class in both entries`);
});

test('classes keep their names in the bundle (errors are named after their class)', async () => {
  const root = (await import(packageRoot)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'function') assert.equal(value.name, name);
  }
});

test('in threads and processes, tsorchestrate/agent is the chunk the host runs from: nothing more to load', async (t) => {
  const { Orchestrator } = (await import(packageRoot)) as typeof import('../../src/index.ts');
  const { DistPackageProbe } = await import('./package-probe.ts');
  const chunk = agentChunk();
  const orchestrator = new Orchestrator({ logLevel: 'silent', handleSignals: false });
  t.after(() => orchestrator.shutdown());
  const entries = (['thread', 'process'] as const).map((mode) =>
    orchestrator.registerAgent(DistPackageProbe, { mode, name: mode }),
  );
  await orchestrator.start();
  await orchestrator.join();
  for (const entry of entries) {
    assert.equal(entry.status, 'completed', entry.lastError?.message);
    assert.deepEqual(entry.result, {
      root: new URL('../../dist/index.js', import.meta.url).href,
      agent: new URL(`../../dist/${chunk}`, import.meta.url).href,
    });
  }
});

test("the host's big functions stay in parentheses in the bundle, so the compile cache holds them", () => {
  const chunk = readFileSync(new URL(`../../dist/${agentChunk()}`, import.meta.url), 'utf8');
  // See EAGERLY COMPILED in src/agents/lifecycle.ts.
  for (const name of ['serveAgent', 'host', 'startAgentSession', 'runLifecycle']) {
    assert.match(chunk, new RegExp(`\\b${name} = \\((async )?function\\(`), name);
  }
});

test('the transports resolve to files in dist/entry', async () => {
  const { transportUrl } = (await import(locationsUrl)) as {
    transportUrl(name: 'thread-transport' | 'process-transport'): string;
  };
  const entryDir = new URL('../../dist/entry/', import.meta.url).href;
  for (const url of [transportUrl('thread-transport'), transportUrl('process-transport')]) {
    assert.ok(url.startsWith(entryDir) && url.endsWith('.js'), url);
    assert.ok(existsSync(fileURLToPath(url)), `${url} exists`);
  }
});
