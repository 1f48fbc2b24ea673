/**
 * Scheduling costs (issue 3):
 *  - validating and ordering a dependency graph of 100,000 agents and 200,000 edges;
 *  - 10,000 inline one-shot agents through an Orchestrator at maxWorkers 64 against p-queue running
 *    the same trivial tasks at concurrency 64 (throughput ratio; target >= 1.0). Registration is
 *    counted on our side, as `queue.add` is on p-queue's.
 *
 *   node --expose-gc bench/scheduling.ts
 *
 * With --expose-gc (as `npm run bench:scheduling` and the suite run it), the heap is collected
 * before every timed run, so neither side pays for the garbage the other (or the graph) left. The
 * collector's state still carries over (the young generation's size among it), so which side runs
 * first alternates from round to round.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_GRAPH_AGENTS (100000), BENCH_GRAPH_EDGES (200000),
 * BENCH_INLINE_AGENTS (10000), BENCH_INLINE_CONCURRENCY (64).
 */
process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';
const { OneShotAgent, Orchestrator } = await import('../src/index.ts');
const { intEnv, median } = await import('./numbers.ts');
const { collect, pQueueBatch, trivialAgent, trivialBatch } = await import('./trivial.ts');

const rounds = intEnv('BENCH_ROUNDS', 5);
const graphAgents = intEnv('BENCH_GRAPH_AGENTS', 100_000);
const graphEdges = intEnv('BENCH_GRAPH_EDGES', 200_000);
const inlineAgents = intEnv('BENCH_INLINE_AGENTS', 10_000);
const concurrency = intEnv('BENCH_INLINE_CONCURRENCY', 64);

const time = async (run: () => unknown) => {
  collect();
  const start = performance.now();
  await run();
  return performance.now() - start;
};

const Trivial = trivialAgent(OneShotAgent);

/** A random DAG: each edge goes from a later-registered agent to an earlier one (seeded). */
function graphOrchestrator() {
  const orchestrator = new Orchestrator({ logLevel: 'silent', handleSignals: false });
  for (let i = 0; i < graphAgents; i++) orchestrator.registerAgent(Trivial, { name: `a${i}` });
  let seed = 42;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const perAgent = new Map<number, Set<number>>();
  let added = 0;
  while (added < graphEdges) {
    const from = 1 + Math.floor(random() * (graphAgents - 1));
    const to = Math.floor(random() * from);
    const set = perAgent.get(from) ?? new Set();
    if (set.has(to)) continue;
    set.add(to);
    perAgent.set(from, set);
    added++;
  }
  for (const [from, targets] of perAgent) {
    orchestrator.addDependency(
      `a${from}`,
      [...targets].map((to) => `a${to}`),
    );
  }
  return orchestrator;
}

const orchestrated = () => trivialBatch(Orchestrator, Trivial, inlineAgents, concurrency);

const pQueue = () => pQueueBatch(inlineAgents, concurrency);

console.log(`Node ${process.version}, ${rounds} rounds, medians`);

/** In a function of its own: the 100,000-agent graph is garbage before the inline comparison runs. */
async function graphCheck(): Promise<void> {
  const setupStart = performance.now();
  const graph = graphOrchestrator();
  console.log(
    `graph: ${graphAgents} agents, ${graphEdges} edges registered in ${(performance.now() - setupStart).toFixed(0)} ms`,
  );
  const graphTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    graphTimes.push(await time(() => graph.validateDependencies()));
  }
  console.log(
    `validateDependencies (checked + ordered): ${median(graphTimes).toFixed(1)} ms (target well under 1000 ms)`,
  );
}

await graphCheck();

await orchestrated();
await pQueue();
const ours: number[] = [];
const theirs: number[] = [];
for (let round = 0; round < rounds; round++) {
  // Which side runs first alternates: each inherits the garbage collector's state from what ran
  // before it in the process, and that moved p-queue's side by a third (bench/README.md, (c)).
  if (round % 2 === 0) {
    ours.push(await orchestrated());
    theirs.push(await pQueue());
  } else {
    theirs.push(await pQueue());
    ours.push(await orchestrated());
  }
  console.log(`round ${round + 1}: ${ours.at(-1)!.toFixed(0)} vs ${theirs.at(-1)!.toFixed(0)} ms`);
}
// Each round ran both side by side: the ratio is the median of the rounds' own ratios.
const ratio = median(theirs.map((time, round) => time / ours[round]!));
console.log(
  `${inlineAgents} inline one-shot agents @ ${concurrency}: tsorchestrate ${median(ours).toFixed(0)} ms, p-queue ${median(theirs).toFixed(0)} ms, throughput ratio ${ratio.toFixed(2)} (target >= 1.0)`,
);
