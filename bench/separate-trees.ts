/**
 * Two versions of src/ on (c)'s workload, each in processes of its own (bench/compare-trees.ts
 * alternates them in one process instead). Each process runs rounds of our side, then p-queue's
 * side on the same trivial tasks, and reports the medians of its rounds after the first two. The
 * processes alternate between the trees (old, new, old, new...).
 *
 * Why: how fast this workload runs depends on the state the garbage collector is left in by what
 * ran before it in the process (the young generation's size among it). In one process, each
 * tree's round inherits that state from the other tree's; here nothing carries over from the
 * other tree, and p-queue's side shows what ours leaves behind (bench/README.md, (c)).
 *
 *   node bench/separate-trees.ts /tmp/old/src src
 *
 * Environment: BENCH_PROCESSES (per tree, 2), BENCH_ROUNDS (per process, 8),
 * BENCH_INLINE_AGENTS (100000), BENCH_INLINE_CONCURRENCY (64), BENCH_SEMI_SPACE_MB (unset: V8
 * sizes the young generation; a number pins it, in MB).
 */
import { fork } from 'node:child_process';
import { intEnv, median, youngGeneration } from './numbers.ts';
import { loadTree, pQueueBatch, trivialBatch } from './trivial.ts';

const processes = intEnv('BENCH_PROCESSES', 2);
const rounds = Math.max(3, intEnv('BENCH_ROUNDS', 8));
const agents = intEnv('BENCH_INLINE_AGENTS', 100_000);
const concurrency = intEnv('BENCH_INLINE_CONCURRENCY', 64);
const young = youngGeneration();

interface Medians {
  ours: number;
  pQueue: number;
}

/** In a child: `rounds` rounds of the tree at `src`, then p-queue; the medians after the first two. */
async function child(src: string): Promise<void> {
  const { Orchestrator, Agent } = await loadTree(src);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await trivialBatch(Orchestrator, Agent, agents, concurrency));
    theirs.push(await pQueueBatch(agents, concurrency));
  }
  process.send!({ ours: median(ours.slice(2)), pQueue: median(theirs.slice(2)) } satisfies Medians);
}

function inChild(src: string): Promise<Medians> {
  return new Promise((done, fail) => {
    const worker = fork(new URL(import.meta.url), ['--child', src], {
      execArgv: ['--expose-gc', ...young.flags],
    });
    worker.once('message', (medians) => done(medians as Medians));
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (code !== 0) fail(new Error(`the child for ${src} exited with ${code}`));
    });
  });
}

const [mode, ...trees] = process.argv.slice(2);
if (mode === '--child') {
  await child(trees[0]!);
} else {
  const [oldTree, newTree] = [mode, trees[0]];
  if (!oldTree || !newTree) {
    console.error('usage: node bench/separate-trees.ts <old src dir> <new src dir>');
    process.exit(2);
  }
  console.log(
    `${agents} inline agents @ ${concurrency}; ${processes} processes per tree, ${rounds} rounds each (medians after the first two); young generation ${young.label}`,
  );
  const found = { old: [] as Medians[], new: [] as Medians[] };
  for (let at = 0; at < processes; at++) {
    for (const [name, src] of [
      ['old', oldTree],
      ['new', newTree],
    ] as const) {
      const medians = await inChild(src);
      found[name].push(medians);
      console.log(
        `${name}: ours ${medians.ours.toFixed(0)} ms, p-queue after it ${medians.pQueue.toFixed(0)} ms`,
      );
    }
  }
  const ours = (side: Medians[]) => median(side.map((medians) => medians.ours));
  console.log(
    `new/old, our side: ${(ours(found.new) / ours(found.old)).toFixed(3)} (medians of the processes)`,
  );
}
