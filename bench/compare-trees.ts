/**
 * Two versions of src/ against each other on (c)'s workload (trivial inline one-shot agents
 * through an Orchestrator), alternated in one process, and measured both ways round.
 *
 * Why both ways: importing two trees into one process and alternating them favours the tree
 * imported second, by 6–12% on this machine (a tree against a copy of itself measured 0.90 and
 * 0.94). So this runs two child processes, one importing the old tree first and one the new tree
 * first, and reports the geometric mean of their two ratios, which cancels that bias.
 *
 *   git worktree add /tmp/old <commit>   # or: git archive <commit> src | tar -x -C /tmp/old
 *   ln -s "$PWD/node_modules" /tmp/old/node_modules
 *   node --expose-gc bench/compare-trees.ts /tmp/old/src src
 *
 * Prints each order's ratio (new time / old time) and their geometric mean; below 1 the new tree
 * is faster. Environment: BENCH_ROUNDS (11), BENCH_INLINE_AGENTS (100000),
 * BENCH_INLINE_CONCURRENCY (64), BENCH_SEMI_SPACE_MB (unset: V8 sizes the young generation).
 */
import { fork } from 'node:child_process';
import { intEnv, median, youngGeneration } from './numbers.ts';
import { loadTree, type TreeSide, trivialBatch } from './trivial.ts';

const rounds = intEnv('BENCH_ROUNDS', 11);
const agents = intEnv('BENCH_INLINE_AGENTS', 100_000);
const concurrency = intEnv('BENCH_INLINE_CONCURRENCY', 64);
const young = youngGeneration();

const run = ({ Orchestrator, Agent }: TreeSide) => trivialBatch(Orchestrator, Agent, agents, concurrency);

/** In a child: import `first`, then `second`, alternate them; send the median of second/first. */
async function child(first: string, second: string): Promise<void> {
  const sides = [await loadTree(first), await loadTree(second)] as const;
  await run(sides[0]);
  await run(sides[1]);
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Which of the two runs first alternates too.
    const [a, b] = round % 2 ? [1, 0] : [0, 1];
    const times = [0, 0];
    times[a] = await run(sides[a]!);
    times[b] = await run(sides[b]!);
    ratios.push(times[1]! / times[0]!);
  }
  process.send!(median(ratios));
}

function inChild(first: string, second: string): Promise<number> {
  return new Promise((done, fail) => {
    const worker = fork(new URL(import.meta.url), ['--child', first, second], {
      execArgv: ['--expose-gc', ...young.flags],
    });
    worker.once('message', (ratio) => done(ratio as number));
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (code !== 0) fail(new Error(`the comparison child exited with ${code}`));
    });
  });
}

const [mode, ...trees] = process.argv.slice(2);
if (mode === '--child') {
  await child(trees[0]!, trees[1]!);
} else {
  const [oldTree, newTree] = [mode, trees[0]];
  if (!oldTree || !newTree) {
    console.error('usage: node --expose-gc bench/compare-trees.ts <old src dir> <new src dir>');
    process.exit(2);
  }
  console.log(
    `${agents} inline agents @ ${concurrency}, ${rounds} rounds each way, medians; young generation ${young.label}`,
  );
  const newSecond = await inChild(oldTree, newTree);
  console.log(`new imported second: new/old ${newSecond.toFixed(3)}`);
  const oldSecond = await inChild(newTree, oldTree);
  console.log(`new imported first:  new/old ${(1 / oldSecond).toFixed(3)}`);
  const ratio = Math.sqrt(newSecond / oldSecond);
  const bias = Math.sqrt(newSecond * oldSecond);
  console.log(`new/old ${ratio.toFixed(3)} (geometric mean; the import order itself: ${bias.toFixed(3)})`);
}
