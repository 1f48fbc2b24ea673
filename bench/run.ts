/**
 * Launch overhead: one-shot thread / process agents through an Orchestrator versus the raw
 * `new Worker` / `fork` loop doing the same work at the same concurrency (SPEC: ratio <= 1.10).
 *
 *   node bench/run.ts
 *
 * Two raw baselines: `raw` (the loop as usually written: each worker/child strips and compiles
 * its .ts files from scratch) and `raw+cache` (the same loop with Node's compile cache on, which
 * tsorchestrate turns on for its workers and children). Orchestrated variants
 * (harness.ts agentVariants): from source, `index` (the agent module imports src/index.ts, the package
 * root) and `agent` (it imports src/agent.ts); from the built package (dist/, what users run; when
 * built), `dist-index` (imports `tsorchestrate`) and `dist-agent` (imports `tsorchestrate/agent`),
 * each with that side's Orchestrator. Each round runs every baseline, then every orchestrated
 * variant (A, B, A, B ...); medians over the rounds, and for each ratio the median of the rounds'
 * own ratios (each round's runs side by side).
 *
 * Environment: BENCH_ROUNDS (default 3), BENCH_THREAD_AGENTS (200), BENCH_PROCESS_AGENTS (100),
 * BENCH_CONCURRENCY (8), BENCH_WARMUP (1: one small untimed run of each first; 0: none),
 * BENCH_ONLY (thread | process), BENCH_VARIANTS (index,agent,dist-index,dist-agent), BENCH_BASELINES (raw,raw+cache),
 * BENCH_COMPILE_CACHE (1: compile cache on in this process and, inherited, in every worker/child),
 * BENCH_STRICT (1: exit 1 when a ratio misses its target; otherwise only when a run broke).
 */
import { maybeEnableCompileCache } from './compile-cache.ts';
import {
  agentVariants,
  attempt,
  compileCacheEnv,
  guardUncaught,
  incidents,
  intEnv,
  machine,
  median,
  orchestrated,
  rawProcesses,
  rawThreads,
  table,
  timed,
} from './harness.ts';

const TARGET = 1.1;
const rounds = Math.max(1, intEnv('BENCH_ROUNDS', 3));
const concurrency = Math.max(1, intEnv('BENCH_CONCURRENCY', 8));
const warmup = intEnv('BENCH_WARMUP', 1) > 0;
const only = process.env.BENCH_ONLY;
const wantedVariants = process.env.BENCH_VARIANTS?.split(',');
const wantedBaselines = process.env.BENCH_BASELINES?.split(',');
const cacheDir = maybeEnableCompileCache();
guardUncaught();
const variants = (await agentVariants()).filter(
  ({ name }) => !wantedVariants || wantedVariants.includes(name),
);
const baselines = [
  { name: 'raw', env: undefined },
  { name: 'raw+cache', env: compileCacheEnv() },
].filter(({ name }) => !wantedBaselines || wantedBaselines.includes(name));

const modes = [
  { mode: 'thread', count: intEnv('BENCH_THREAD_AGENTS', 200), raw: rawThreads, rawName: 'new Worker' },
  { mode: 'process', count: intEnv('BENCH_PROCESS_AGENTS', 100), raw: rawProcesses, rawName: 'fork' },
] as const;

const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;

console.log(machine());
console.log(`compile cache in this process: ${cacheDir ?? 'off'}`);
console.log(`rounds: ${rounds}, concurrency: ${concurrency}, warm-up: ${warmup ? 'yes' : 'no'}`);
console.log(`baselines: ${baselines.map(({ name }) => name).join(', ')}`);
console.log(
  `agent modules: ${variants.map(({ name, imports }) => `${name} (imports ${imports})`).join(', ')}\n`,
);

const summary: string[][] = [];
let failed = false;
const started = performance.now();
for (const { mode, count, raw, rawName } of modes) {
  if (only && only !== mode) continue;
  console.log(`== ${count} one-shot ${mode} agents @ ${concurrency}: raw ${rawName} loop vs tsorchestrate`);
  /** Variants that failed every attempt of a run: no more rounds for them. */
  const broken = new Set<string>();
  if (warmup) {
    for (const { name, env } of baselines) {
      await attempt(`${mode} ${name} warm-up`, () => raw(concurrency, concurrency, env));
    }
    for (const { name, Agent, Orchestrator } of variants) {
      await attempt(`${mode} ours[${name}] warm-up`, () =>
        orchestrated(mode, concurrency, concurrency, Agent, Orchestrator),
      ).catch(() => broken.add(name));
    }
  }
  const rawMs = baselines.map(() => [] as number[]);
  const oursMs = variants.map(() => [] as number[]);
  for (let round = 1; round <= rounds; round++) {
    const cells = [`round ${round}/${rounds}`];
    let expected: string[] | undefined;
    const ofRound: number[] = [];
    for (const [index, { name, env }] of baselines.entries()) {
      const a = await attempt(`${mode} ${name} round ${round}`, () =>
        timed(() => raw(count, concurrency, env)),
      );
      expected ??= a.value;
      rawMs[index]!.push(a.ms);
      ofRound.push(a.ms);
      cells.push(`${name} ${ms(a.ms)}`);
    }
    for (const [index, { name, Agent, Orchestrator }] of variants.entries()) {
      if (broken.has(name)) {
        cells.push(`ours[${name}] error`);
        continue;
      }
      try {
        const b = await attempt(`${mode} ours[${name}] round ${round}`, () =>
          timed(() => orchestrated(mode, count, concurrency, Agent, Orchestrator)),
        );
        if (expected?.some((digest, seed) => digest !== b.value[seed])) {
          throw new Error(`${mode}/${name}: raw and orchestrated results differ in round ${round}`);
        }
        oursMs[index]!.push(b.ms);
        cells.push(
          `ours[${name}] ${ms(b.ms)} (${ofRound.map((base) => `x${(b.ms / base).toFixed(2)}`).join(' ')})`,
        );
      } catch {
        broken.add(name);
        cells.push(`ours[${name}] error`);
      }
    }
    console.log(cells.join('  '));
  }
  const rawMedians = rawMs.map(median);
  const cells = [`median   `, ...baselines.map(({ name }, index) => `${name} ${ms(rawMedians[index]!)}`)];
  for (const [index, { name, imports }] of variants.entries()) {
    const oursMedian = broken.has(name) ? undefined : median(oursMs[index]!);
    // Each round's ratio is ours against the baseline run just before it; the ratio is their median.
    // (Medians of each column taken apart pair different rounds, and drift when the machine does.)
    const ratios = rawMs.map((raw) => median(oursMs[index]!.map((ours, round) => ours / raw[round]!)));
    cells.push(
      oursMedian === undefined
        ? `ours[${name}] error`
        : `ours[${name}] ${ms(oursMedian)} (${ratios.map((ratio) => `x${ratio.toFixed(3)}`).join(' ')}: median of the rounds' ratios)`,
    );
    for (const [b, baseline] of baselines.entries()) {
      const label = `${count} ${mode} agents @ ${concurrency}, agent imports ${imports}, vs ${baseline.name}`;
      const target = `<= ${TARGET.toFixed(2)}`;
      const base = rawMedians[b]!;
      if (oursMedian === undefined) {
        failed = true;
        summary.push([label, base.toFixed(0), 'error', '-', target, 'ERROR']);
        continue;
      }
      const ratio = ratios[b]!;
      failed ||= ratio > TARGET;
      summary.push([
        label,
        base.toFixed(0),
        oursMedian.toFixed(0),
        ratio.toFixed(3),
        target,
        ratio <= TARGET ? 'pass' : 'FAIL',
      ]);
    }
  }
  console.log(`${cells.join('  ')}\n`);
}

console.log(
  table(['scenario', 'raw median ms', 'tsorchestrate median ms', 'ratio', 'target', 'result'], summary, [
    false,
    true,
    true,
    true,
    false,
    false,
  ]),
);
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (incidents.size > 0) {
  console.log(
    '\nFailures during the run (failed runs were retried, never timed; ERROR: every attempt failed):',
  );
  for (const [incident, times] of incidents) console.log(`  ${String(times).padStart(4)} x ${incident}`);
}
// Exit status: 1 when a run broke (ERROR, or failures retried); target misses too with BENCH_STRICT=1.
if (summary.some((row) => row[5] === 'ERROR') || incidents.size > 0) process.exitCode = 1;
else if (failed && process.env.BENCH_STRICT === '1') process.exitCode = 1;
