/**
 * Warm reuse (issue 6): short one-shot agents on reused threads and processes, against Piscina
 * (threads) doing the same work at the same concurrency, and against PyOrchestrate's figures
 * measured on this machine (200 one-shot thread agents at max_workers 8: 3.0 s at its fastest
 * setting; 100 process agents: 3.0 s). Target: at least Piscina's throughput; at least 3x faster
 * than PyOrchestrate (<= 1.0 s).
 *
 *   node bench/reuse.ts        (npm run bench:reuse)
 *
 * Ours runs as users run it when dist/ is built (`npm ci` builds it): the `dist-agent` variant of
 * bench/harness.ts, the Orchestrator from the package and the agent's module importing
 * `tsorchestrate/agent`, so each thread or process of the pool loads the bundled agent side. With
 * BENCH_SOURCE=src (or without dist/), the `agent` variant: both from src/, per-file modules whose
 * types are stripped in every thread and process (~10% slower here).
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_THREAD_AGENTS (200), BENCH_PROCESS_AGENTS (100),
 * BENCH_CONCURRENCY (8), BENCH_SOURCE (dist | src).
 */
import { Piscina } from 'piscina';
import { agentVariants } from './harness.ts';
import { intEnv, median } from './numbers.ts';

process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';
const variants = await agentVariants();
const wanted = process.env.BENCH_SOURCE === 'src' ? 'agent' : 'dist-agent';
const variant =
  variants.find(({ name }) => name === wanted) ?? variants.find(({ name }) => name === 'agent')!;
const { Orchestrator, Agent } = variant;

const rounds = intEnv('BENCH_ROUNDS', 5);
const threadAgents = intEnv('BENCH_THREAD_AGENTS', 200);
const processAgents = intEnv('BENCH_PROCESS_AGENTS', 100);
const concurrency = intEnv('BENCH_CONCURRENCY', 8);

async function orchestrated(mode: 'thread' | 'process', count: number, reuse: boolean): Promise<number> {
  const orchestrator = new Orchestrator({
    maxWorkers: concurrency,
    logLevel: 'silent',
    handleSignals: false,
  });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    orchestrator.registerAgent(Agent, { mode, name: `a${i}`, config: { seed: i }, reuse });
  }
  await orchestrator.start();
  await orchestrator.join();
  const elapsed = performance.now() - start;
  const failed = orchestrator.agents().filter((entry) => entry.status !== 'completed').length;
  if (failed > 0) throw new Error(`${failed} agents did not complete`);
  await orchestrator.shutdown(); // the pool's warm threads / processes end here, outside the timing
  return elapsed;
}

async function piscina(count: number): Promise<number> {
  // Created inside the timing: its threads start cold, like ours.
  const start = performance.now();
  const pool = new Piscina({
    filename: new URL('./piscina-task.ts', import.meta.url).href,
    minThreads: concurrency,
    maxThreads: concurrency,
  });
  await Promise.all(Array.from({ length: count }, (_, i) => pool.run(i)));
  const elapsed = performance.now() - start;
  await pool.destroy();
  return elapsed;
}

console.log(
  `node ${process.version}, ${rounds} rounds, concurrency ${concurrency}, medians; agents import ${variant.imports}`,
);
const results: Record<string, number[]> = {};
const record = (name: string, ms: number) => {
  results[name] ??= [];
  results[name].push(ms);
};
for (let round = 0; round < rounds; round++) {
  record('thread reuse', await orchestrated('thread', threadAgents, true));
  record('piscina', await piscina(threadAgents));
  record('process reuse', await orchestrated('process', processAgents, true));
  if (round === 0) {
    record('thread fresh', await orchestrated('thread', threadAgents, false));
    record('process fresh', await orchestrated('process', processAgents, false));
  }
}
const m = Object.fromEntries(Object.entries(results).map(([name, values]) => [name, median(values)]));
// Each round ran both side by side: the ratio is the median of the rounds' own ratios.
const pairedRatio = median(
  results.piscina!.map((theirs, round) => theirs / results['thread reuse']![round]!),
);
const line = (label: string, ms: number, note: string) =>
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${note}`);
line(
  `${threadAgents} thread agents, reuse`,
  m['thread reuse']!,
  `vs PyOrchestrate 3000 ms: ${(3000 / m['thread reuse']!).toFixed(1)}x faster (target >= 3x)`,
);
line(
  `${threadAgents} tasks on Piscina`,
  m.piscina!,
  `throughput ratio tsorchestrate/Piscina ${pairedRatio.toFixed(2)} (target >= 1.0)`,
);
line(`${threadAgents} thread agents, fresh threads (1 round)`, m['thread fresh']!, '');
line(
  `${processAgents} process agents, reuse`,
  m['process reuse']!,
  `vs PyOrchestrate 3000 ms: ${(3000 / m['process reuse']!).toFixed(1)}x faster (target >= 3x)`,
);
line(`${processAgents} process agents, fresh processes (1 round)`, m['process fresh']!, '');
