/**
 * (c)'s workload, shared by bench/scheduling.ts and bench/compare-trees.ts. It imports src/ for
 * types only, so bench/compare-trees.ts can load the two trees it compares, and nothing else.
 */
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
