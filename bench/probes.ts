/**
 * Issue 6 (d), (e), (f):
 *  (d) termination noticed: from the end of an agent's work (a wall-clock stamp taken inside it) to
 *      the orchestrator's AGENT_TERMINATED listener, p50 / p99 per mode, one agent at a time and
 *      four at once (target p50 < 1 ms inline and thread);
 *  (e) events per second from a thread agent to an orchestrator listener (heartbeats, event history
 *      on) against the raw MessagePort carrying the same messages (target >= 0.8);
 *  (f) the orchestrator's memory per 1,000 idle registered agents, and per running thread agent.
 *
 *   node --expose-gc bench/probes.ts
 *
 * Environment: BENCH_LATENCY_RUNS (default 200 per mode), BENCH_EVENTS (200000), BENCH_ROUNDS (3).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';
const { Orchestrator } = await import('../src/index.ts');
const { Chatter, Stamp } = await import('./agents-probe.ts');
const { WaitsForStop } = await import('../test/fixtures/agents.ts');
const { intEnv, median } = await import('./numbers.ts');

const latencyRuns = intEnv('BENCH_LATENCY_RUNS', 200);
const eventCount = intEnv('BENCH_EVENTS', 200_000);
const rounds = intEnv('BENCH_ROUNDS', 3);
const now = () => performance.timeOrigin + performance.now();
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const gc = (globalThis as { gc?: () => void }).gc;
const orchestrator = (config = {}) =>
  new Orchestrator({ logLevel: 'silent', handleSignals: false, ...config });

// (d) ---------------------------------------------------------------------------------------------
async function latency(
  mode: 'inline' | 'thread' | 'process',
  reuse: boolean,
  maxWorkers: number,
): Promise<number[]> {
  const o = orchestrator({ maxWorkers });
  const samples: number[] = [];
  o.on('agent:terminated', ({ result }) => {
    samples.push(now() - (result as number));
  });
  const count = mode === 'inline' ? latencyRuns * 10 : latencyRuns;
  for (let i = 0; i < count; i++)
    o.registerAgent(Stamp, { mode, name: `s${i}`, ...(reuse ? { reuse } : {}) });
  await o.start();
  await o.join();
  await o.shutdown();
  return samples;
}

console.log(`node ${process.version}${gc ? '' : ' (run with --expose-gc for the memory figures)'}`);
console.log("\n(d) termination noticed: end of the agent's work -> AGENT_TERMINATED listener");
console.log(
  '  @1: one agent at a time (the path itself); @4: four at once on this machine, so fresh isolates or processes starting beside the one ending compete for its cores',
);
for (const maxWorkers of [1, 4]) {
  for (const [mode, reuse] of [
    ['inline', false],
    ['thread', false],
    ['thread', true],
    ['process', false],
    ['process', true],
  ] as const) {
    const samples = await latency(mode, reuse, maxWorkers);
    const p50 = quantile(samples, 0.5);
    const target = mode === 'process' ? '' : `  (target p50 < 1 ms: ${p50 < 1 ? 'met' : 'missed'})`;
    console.log(
      `  ${`${mode}${reuse ? ' (reuse)' : ''} @${maxWorkers}`.padEnd(19)} p50 ${p50.toFixed(3)} ms  p99 ${quantile(samples, 0.99).toFixed(3)} ms  (${samples.length} agents)${target}`,
    );
  }
}

// (e) ---------------------------------------------------------------------------------------------
async function ourEvents(): Promise<number> {
  const o = orchestrator();
  let received = 0;
  o.on('agent:heartbeat', () => {
    received++;
  });
  o.registerAgent(Chatter, { mode: 'thread', name: 'chatter', config: { count: eventCount } });
  const start = performance.now();
  await o.start();
  await o.join();
  const elapsed = performance.now() - start;
  await o.shutdown();
  if (received !== eventCount) throw new Error(`received ${received} of ${eventCount} heartbeats`);
  return eventCount / (elapsed / 1000);
}

async function rawEvents(): Promise<number> {
  let received = 0;
  const start = performance.now();
  const worker = new Worker(new URL('./raw-chatter.ts', import.meta.url), { workerData: eventCount });
  worker.on('message', () => {
    received++;
  });
  await once(worker, 'exit');
  const elapsed = performance.now() - start;
  if (received !== eventCount) throw new Error(`received ${received} of ${eventCount} messages`);
  return eventCount / (elapsed / 1000);
}

const ours: number[] = [];
const raw: number[] = [];
for (let round = 0; round < rounds; round++) {
  raw.push(await rawEvents());
  ours.push(await ourEvents());
}
console.log(
  `\n(e) events per second, thread agent -> orchestrator listener (${eventCount} heartbeats, history on)`,
);
console.log(
  `  raw MessagePort ${median(raw).toFixed(0)}/s, tsorchestrate ${median(ours).toFixed(0)}/s, ratio ${median(ours.map((rate, round) => rate / raw[round]!)).toFixed(2)} (target >= 0.8; median of the rounds' own ratios)`,
);

// (f) ---------------------------------------------------------------------------------------------
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage();
};
{
  const o = orchestrator();
  const before = heap();
  for (let i = 0; i < 10_000; i++) o.registerAgent(Stamp, { name: `idle-${i}` });
  const after = heap();
  console.log('\n(f) memory');
  // Typed columns (the stats table) live outside the heap, in array buffers: counted too.
  const used = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.arrayBuffers;
  console.log(
    `  per 1,000 idle registered agents: ${((used(after) - used(before)) / 10 / 1024).toFixed(0)} KiB of heap and array buffers (10,000 registered)`,
  );
  await o.shutdown();
}
/**
 * Eight thread agents running at once: what the process's RSS and the orchestrator's heap grow by,
 * per agent. The first round in a process also pays one-off costs of its first threads (worker
 * code, allocator arenas): it is a warm-up, and the figure is the median of the rounds after it.
 */
async function runningThreads(count: number): Promise<{ rss: number; heap: number }> {
  const o = orchestrator();
  let live = 0;
  const allRunning = new Promise<void>((resolve) =>
    o.on('agent:running', () => {
      if (++live === count) resolve();
    }),
  );
  const before = heap();
  for (let i = 0; i < count; i++) o.registerAgent(WaitsForStop, { mode: 'thread', name: `t${i}` });
  await o.start();
  await allRunning;
  const after = heap();
  await o.shutdown();
  return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count };
}
{
  const count = 8;
  const first = await runningThreads(count);
  const later: { rss: number; heap: number }[] = [];
  for (let round = 0; round < rounds; round++) later.push(await runningThreads(count));
  console.log(
    `  per running thread agent: ${(median(later.map(({ rss }) => rss)) / 2 ** 20).toFixed(1)} MiB of RSS, ${(median(later.map(({ heap }) => heap)) / 1024).toFixed(0)} KiB of the orchestrator's heap (${count} running; median of ${rounds} rounds after a first one, which gave ${(first.rss / 2 ** 20).toFixed(1)} MiB)`,
  );
}
