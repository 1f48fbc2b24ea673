/**
 * (c)'s workload, shared by bench/scheduling.ts, bench/compare-trees.ts and bench/separate-trees.ts.
 * It imports src/ for types only, so the tree comparisons load the trees they compare, and
 * nothing else.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentClass, OneShotAgent, Orchestrator } from '../src/index.ts';

/** (c)'s agent: a trivial one-shot task, built on the given `OneShotAgent` (a tree's own, in bench/compare-trees.ts). */
export function trivialAgent(Base: typeof OneShotAgent): AgentClass<OneShotAgent<{ value: number }, number>> {
  return class Trivial extends (Base as typeof OneShotAgent<{ value: number }, number>) {
    static override readonly defaults = { value: 0 };
    execute(): number {
      return this.config.value * 2;
    }
  };
}

/** Collects the heap when --expose-gc is on; nothing otherwise. */
export const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * (c)'s workload on our side: `agents` trivial agents registered (counted, as p-queue's `add` is),
 * started and joined by a fresh Orchestrator at `concurrency`. The heap is collected first when
 * --expose-gc is on, so the run does not pay for garbage left before it. Milliseconds.
 */
export async function trivialBatch(
  OrchestratorClass: typeof Orchestrator,
  Agent: AgentClass,
  agents: number,
  concurrency: number,
): Promise<number> {
  const orchestrator = new OrchestratorClass({
    maxWorkers: concurrency,
    logLevel: 'silent',
    handleSignals: false,
  });
  collect();
  const start = performance.now();
  for (let i = 0; i < agents; i++) orchestrator.registerAgent(Agent, { name: `t${i}`, config: { value: i } });
  await orchestrator.start();
  await orchestrator.join();
  return performance.now() - start;
}

/**
 * (c)'s workload on p-queue's side: `agents` trivial tasks added (counted) and awaited at
 * `concurrency`, the heap collected first as `trivialBatch` does. Milliseconds.
 */
export async function pQueueBatch(agents: number, concurrency: number): Promise<number> {
  const { default: PQueue } = await import('p-queue');
  const queue = new PQueue({ concurrency });
  collect();
  const start = performance.now();
  const results: Promise<number>[] = [];
  for (let i = 0; i < agents; i++) results.push(queue.add(async () => i * 2) as Promise<number>);
  await Promise.all(results);
  await queue.onIdle();
  return performance.now() - start;
}

/** One tree's side of a comparison: its Orchestrator, and (c)'s agent on its own OneShotAgent. */
export interface TreeSide {
  Orchestrator: typeof Orchestrator;
  Agent: AgentClass;
}

/** The tree of src/ at `src` (a directory), loaded for a comparison, logging silenced. */
export async function loadTree(src: string): Promise<TreeSide> {
  process.env.TSORCHESTRATE_LOG_LEVEL ??= 'silent';
  const tree = (await import(
    pathToFileURL(resolve(src, 'index.ts')).href
  )) as typeof import('../src/index.ts');
  return { Orchestrator: tree.Orchestrator, Agent: trivialAgent(tree.OneShotAgent) };
}
