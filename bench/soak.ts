/**
 * Soak: one agent that fails at once, restarted by its policy again and again with zero backoff.
 * Prints the orchestrator process's RSS and heap before and after (after a forced GC), the time per
 * restart, and what is left behind (threads, child processes). Target: RSS under +10%.
 *
 *   npm run bench:soak
 *   (= node --expose-gc --min-semi-space-size=16 --max-semi-space-size=16 bench/soak.ts)
 *
 * Why the semi-space flags: under a high allocation rate V8 grows its young generation step by
 * step (here 32 -> 64 -> 128 MB of new space) while the live heap stays flat. That is V8 sizing
 * itself to the allocation rate, bounded, not memory the orchestrator keeps; pinning the young
 * generation's size makes RSS show what restarts really retain. The old space is printed too.
 *
 * Environment: SOAK_RESTARTS (default 10000, inline), SOAK_WARMUP (10000 inline restarts first),
 * SOAK_THREAD_RESTARTS (default 300; 0 skips).
 */
import { readdirSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';

process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';
const { Orchestrator } = await import('../src/index.ts');
const { Faulty } = await import('../test/fixtures/agents.ts');

const restarts = Number(process.env.SOAK_RESTARTS ?? 10_000);
const threadRestarts = Number(process.env.SOAK_THREAD_RESTARTS ?? 300);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function memory() {
  gc?.();
  gc?.();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  const oldSpace =
    v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
  return { rss, heapUsed, heapTotal, oldSpace };
}

function leftovers() {
  const tasks = readdirSync(`/proc/${process.pid}/task`);
  const threads = tasks.filter((task) => {
    try {
      return readFileSync(`/proc/${process.pid}/task/${task}/comm`, 'utf8').trim() === 'WorkerThread';
    } catch {
      return false;
    }
  }).length;
  const children = tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean);
    } catch {
      return []; // the thread ended while we looked
    }
  }).length;
  return { threads, children };
}

/**
 * One orchestrator, one crashing agent. Memory is read at the `warmup`-th restart (the event store
 * and the agent's history are full by then, V8's heap has grown to its working size) and again
 * `count` restarts later: any growth in between is what restarts leak.
 */
async function soak(mode: 'inline' | 'thread', warmup: number, count: number) {
  const orchestrator = new Orchestrator({ logLevel: 'silent', handleSignals: false });
  const entry = orchestrator.registerAgent(Faulty, {
    mode,
    name: 'crasher',
    config: { kind: 'work' },
    restart: { when: 'on-failure', maxRestarts: warmup + count, withinMs: 1e12, backoffMs: 0 },
  });
  const initial = memory();
  let before = initial;
  let started = performance.now();
  orchestrator.on('agent:restarted', ({ restarts }) => {
    if (restarts !== warmup) return;
    before = memory();
    started = performance.now();
  });
  await orchestrator.start();
  await orchestrator.join();
  const elapsed = performance.now() - started;
  const after = memory();
  await orchestrator.shutdown();
  return { elapsed, warmup, restarts: entry.restarts - warmup, status: entry.status, initial, before, after };
}

function print(mode: string, run: Awaited<ReturnType<typeof soak>>) {
  const { elapsed, warmup, restarts: done, status, initial, before, after } = run;
  const each = elapsed / done;
  console.log(
    `${mode}: ${done} restarts measured in ${(elapsed / 1000).toFixed(2)} s (${each < 1 ? `${(each * 1000).toFixed(0)} µs` : `${each.toFixed(1)} ms`} each), final state ${status}`,
  );
  const growth = ((after.rss - before.rss) / before.rss) * 100;
  console.log(`  RSS at the start ${mb(initial.rss)}, after ${warmup} warm-up restarts ${mb(before.rss)}`);
  console.log(
    `  RSS ${mb(before.rss)} -> ${mb(after.rss)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%; target < +10%), heap used ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}, old space ${mb(before.oldSpace)} -> ${mb(after.oldSpace)}`,
  );
}

console.log(
  `node ${process.version}${gc ? ', GC forced before each reading (--expose-gc)' : ', without --expose-gc: readings include garbage'}`,
);
// The warm-up: RSS rises over the first restarts while the JIT, malloc's arenas and V8 settle, then
// stays flat (measured: 152, 158, 162, 162, 162, 165, 165, 165, 162, 162 MB every 4,000 restarts
// up to 40,000). The target is about what restarts retain, so it is read after that.
print('inline', await soak('inline', Number(process.env.SOAK_WARMUP ?? 10_000), restarts));
if (threadRestarts > 0) print('thread', await soak('thread', 50, threadRestarts));
const left = leftovers();
console.log(`left behind: ${left.threads} worker threads, ${left.children} child processes`);
if (left.threads + left.children > 0) process.exitCode = 1;
