/**
 * How many ES modules the agent side of one thread agent and one process agent loads, per variant
 * (harness.ts agentVariants: src/ and, when built, dist/). Every module costs ~0.3–0.45 ms in a
 * fresh isolate or process, so this count is most of tsorchestrate's launch overhead.
 *
 *   node bench/modules.ts            # counts per variant and mode
 *   MODULES_LIST=1 node bench/modules.ts   # and the modules themselves
 *
 * Each variant x mode runs in a fresh `node --import bench/module-hooks.mjs` process (the hooks are
 * inherited by its workers and children) that runs one agent; the hooks log what each worker /
 * child loaded. The agent module itself and bench/work.ts are counted too (the raw baselines load
 * one module, bench/raw-worker.ts / raw-child.ts, plus work.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentVariants, table, type VariantName } from './harness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const [, , one, oneMode] = process.argv;

if (one) {
  // Child run: one agent of variant `one` in mode `oneMode`, through that variant's Orchestrator.
  const variant = (await agentVariants()).find(({ name }) => name === one);
  if (!variant) throw new Error(`unknown variant ${one}`);
  const orchestrator = new variant.Orchestrator({ logLevel: 'silent' });
  const entry = orchestrator.registerAgent(variant.Agent, {
    name: 'counted',
    mode: oneMode as 'thread' | 'process',
    config: { seed: 1 },
  });
  await orchestrator.start();
  await orchestrator.join();
  await orchestrator.shutdown();
  if (entry.status !== 'completed') throw new Error(`agent ${entry.status}: ${entry.lastError?.message}`);
} else {
  const hooks = fileURLToPath(new URL('./module-hooks.mjs', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'tsorchestrate-modules-'));
  const rows: string[][] = [];
  const show = (url: string) => (url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url);
  try {
    for (const { name, imports } of await agentVariants()) {
      for (const mode of ['thread', 'process'] as const) {
        const log = join(dir, `${name}-${mode}.jsonl`);
        execFileSync(process.execPath, ['--import', hooks, self, name satisfies VariantName, mode], {
          env: { ...process.env, BENCH_MODULE_LOG: log },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        const sides = readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { side: string; modules: string[] })
          .filter(({ side }) => side === mode);
        if (sides.length !== 1)
          throw new Error(`${name}/${mode}: expected one ${mode} log, got ${sides.length}`);
        const modules = sides[0]!.modules;
        const ours = modules.filter((url) => /\/(src|dist)\//.test(url) && !url.includes('/node_modules/'));
        rows.push([name, imports, mode, String(modules.length), String(ours.length)]);
        if (process.env.MODULES_LIST === '1') {
          console.log(`${name} ${mode}:\n${modules.map((url) => `  ${show(url)}`).join('\n')}\n`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    table(['variant', 'agent module imports', 'mode', 'modules loaded', 'of them tsorchestrate'], rows, [
      false,
      false,
      false,
      true,
      true,
    ]),
  );
}
