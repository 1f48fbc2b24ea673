/**
 * Where the per-agent launch overhead goes, tsorchestrate versus raw `new Worker` / `fork`.
 *
 *   node bench/profile.ts                        # as is
 *   BENCH_COMPILE_CACHE=1 node bench/profile.ts  # compile cache on here and in every worker/child
 *
 * 1. Latency, one at a time: raw new Worker/fork -> result -> exit, versus an Orchestrator at
 *    maxWorkers 1, split by its lifecycle events (starting -> started -> running -> terminated).
 * 2. Import costs in a fresh worker / child (bench/probe.mjs): bootstrap, first .ts, agent-host,
 *    src/index.ts, valibot, ... each the median over fresh isolates / processes.
 * 3. CPU per agent at the benchmark's concurrency (what decides wall time on a small machine).
 *
 * Environment: PROFILE_SAMPLES (default 15), PROFILE_AGENTS (CPU section, default 40),
 * BENCH_CONCURRENCY (8), PROFILE_SECTIONS (default 1,2,3).
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { maybeEnableCompileCache } from './compile-cache.ts';
import {
  agentVariants,
  attempt,
  guardUncaught,
  type HashAgentClass,
  incidents,
  intEnv,
  machine,
  median,
  type OrchestratorClass,
  orchestrated,
  RAW_CHILD,
  RAW_WORKER,
  rawProcesses,
  rawThreads,
  table,
} from './harness.ts';

type Kind = 'thread' | 'process';
const KINDS: readonly Kind[] = ['thread', 'process'];

const cacheDir = maybeEnableCompileCache();
guardUncaught();
const variants = await agentVariants();
const samples = Math.max(1, intEnv('PROFILE_SAMPLES', 15));
const cpuAgents = Math.max(1, intEnv('PROFILE_AGENTS', 40));
const concurrency = Math.max(1, intEnv('BENCH_CONCURRENCY', 8));
const sections = (process.env.PROFILE_SECTIONS ?? '1,2,3').split(',');
const PROBE = new URL('./probe.mjs', import.meta.url);
const f1 = (ms: number) => ms.toFixed(1);

console.log(machine());
console.log(`compile cache in this process: ${cacheDir ?? 'off'}, samples: ${samples}\n`);

// ---- 1. latency, one at a time ---------------------------------------------------------------

async function rawLatency(kind: Kind) {
  const toMessage: number[] = [];
  const toExit: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const start = performance.now();
    let messageAt = 0;
    await new Promise<void>((resolve, reject) => {
      const onMessage = () => {
        messageAt = performance.now();
      };
      if (kind === 'thread') {
        const worker = new Worker(RAW_WORKER, { workerData: i });
        worker
          .once('message', onMessage)
          .once('error', reject)
          .once('exit', () => resolve());
      } else {
        const child = fork(RAW_CHILD, [String(i)]);
        child
          .once('message', onMessage)
          .once('error', reject)
          .once('close', () => resolve());
      }
    });
    if (i === 0) continue; // warm-up
    toMessage.push(messageAt - start);
    toExit.push(performance.now() - start);
  }
  return { toMessage: median(toMessage), toExit: median(toExit) };
}

type Mark = 'starting' | 'started' | 'running' | 'terminated';

async function orchestratedLatency(mode: Kind, Agent: HashAgentClass, OrchestratorClass: OrchestratorClass) {
  const orchestrator = new OrchestratorClass({ maxWorkers: 1, logLevel: 'silent' });
  const marks = new Map<string, Partial<Record<Mark, number>>>();
  const mark = (agent: string, what: Mark) => {
    const record = marks.get(agent) ?? {};
    record[what] = performance.now();
    marks.set(agent, record);
  };
  orchestrator.on('agent:state-changed', ({ agent, to }) => {
    if (to === 'starting') mark(agent, 'starting');
  });
  orchestrator.on('agent:started', ({ agent }) => mark(agent, 'started'));
  orchestrator.on('agent:running', ({ agent }) => mark(agent, 'running'));
  orchestrator.on('agent:terminated', ({ agent }) => mark(agent, 'terminated'));
  const registerStart = performance.now();
  for (let i = 0; i <= samples; i++) {
    orchestrator.registerAgent(Agent, { name: `p${i}`, mode, config: { seed: i } });
  }
  const registerMs = (performance.now() - registerStart) / (samples + 1);
  await orchestrator.start();
  await orchestrator.join();
  await orchestrator.shutdown();
  const runs = [...marks.values()].slice(1) as Record<Mark, number>[]; // first one: warm-up
  const between = (from: Mark, to: Mark) => median(runs.map((run) => run[to] - run[from]));
  return {
    registerMs,
    toStarted: between('starting', 'started'),
    startedToRunning: between('started', 'running'),
    runningToTerminated: between('running', 'terminated'),
    total: between('starting', 'terminated'),
  };
}

if (sections.includes('1')) {
  for (const kind of KINDS) {
    const raw = await rawLatency(kind);
    const ours: Awaited<ReturnType<typeof orchestratedLatency>>[] = [];
    for (const { Agent, Orchestrator } of variants)
      ours.push(await orchestratedLatency(kind, Agent, Orchestrator));
    const column = (pick: (run: (typeof ours)[number]) => number) => ours.map((run) => f1(pick(run)));
    console.log(`== ${kind}: one at a time, median of ${samples} (ms)`);
    console.log(
      table(
        ['', 'raw', ...variants.map(({ name }) => `ours[${name}]`)],
        [
          ['launch -> first message (ours: agent:started)', f1(raw.toMessage), ...column((r) => r.toStarted)],
          ['  started -> running (setup, gates)', '', ...column((r) => r.startedToRunning)],
          ['  running -> exit seen (work, done, exit)', '', ...column((r) => r.runningToTerminated)],
          ['launch -> exit seen', f1(raw.toExit), ...column((r) => r.total)],
          ['  overhead vs raw', '', ...column((r) => r.total - raw.toExit)],
          ['registerAgent (per agent, in the parent)', '', ...column((r) => r.registerMs)],
        ],
        [false, true, ...variants.map(() => true)],
      ),
    );
    console.log();
  }
}

// ---- 2. import costs in fresh workers / children ---------------------------------------------

interface ProbeReport {
  startedAt: number;
  bootMs: number;
  steps: [string, number][];
}

function probe(kind: Kind, specifiers: string[]): Promise<ProbeReport & { launchedAt: number }> {
  const launchedAt = performance.timeOrigin + performance.now();
  return new Promise((resolve, reject) => {
    const done = (report: ProbeReport) => resolve({ ...report, launchedAt });
    if (kind === 'thread') {
      new Worker(PROBE, { workerData: specifiers }).once('message', done).once('error', reject);
    } else {
      fork(fileURLToPath(PROBE), [JSON.stringify(specifiers)])
        .once('message', done)
        .once('error', reject);
    }
  });
}

async function probeMedians(kind: Kind, specifiers: string[]) {
  const launch: number[] = [];
  const steps = specifiers.map(() => [] as number[]);
  for (let i = 0; i <= samples; i++) {
    const report = await probe(kind, specifiers);
    if (i === 0) continue;
    launch.push(report.startedAt - report.launchedAt);
    for (const [index, [, ms]] of report.steps.entries()) steps[index]!.push(ms);
  }
  return { launch: median(launch), steps: steps.map(median) };
}

const local = (path: string) => path.startsWith('.');
const present = (path: string) => existsSync(new URL(path, import.meta.url));
/** A probe chain, kept only when every local file in it exists in this tree. */
const chain = (title: string, paths: string[]) =>
  paths.every((path) => !local(path) || present(path))
    ? [
        {
          title,
          paths,
          specifiers: paths.map((path) => (local(path) ? new URL(path, import.meta.url).href : path)),
        },
      ]
    : [];
const chains = [
  ...chain('nothing (bootstrap only)', []),
  ...chain('raw side', ['./work.ts']),
  ...chain('ours, agent module imports src/index.ts', [
    './work.ts',
    '../src/entry/agent-host.ts',
    '../src/index.ts',
    './agents.ts',
  ]),
  ...chain('ours, agent module imports src/agent.ts', [
    './work.ts',
    '../src/entry/agent-host.ts',
    '../src/agent.ts',
    './agents-light.ts',
  ]),
  ...(present('../dist/agent.js')
    ? [
        // dist/ (bundled): the host is inside a chunk, so the transport's imports are not probed apart.
        ...chain('ours, agent module imports tsorchestrate/agent (dist)', [
          './work.ts',
          'tsorchestrate/agent',
          './agents-dist.ts',
        ]),
        ...chain('tsorchestrate/agent (dist) alone', ['tsorchestrate/agent']),
      ]
    : []),
  ...chain('src/index.ts after agent-host.ts, by part', [
    './work.ts',
    '../src/entry/agent-host.ts',
    'valibot',
    '../src/orchestrator/orchestrator-config.ts',
    '../src/orchestrator/registration.ts',
    '../src/orchestrator/agent-run.ts',
    '../src/orchestrator/orchestrator.ts',
    '../src/index.ts',
  ]),
  ...chain('agent-host.ts alone', ['../src/entry/agent-host.ts']),
  ...chain('src/index.ts alone', ['../src/index.ts']),
  ...chain('src/agent.ts alone', ['../src/agent.ts']),
  ...chain('valibot alone', ['valibot']),
  ...chain('pino alone (src loads it lazily: silent agents never do)', ['pino']),
];

if (sections.includes('2')) {
  for (const kind of KINDS) {
    const where = kind === 'thread' ? 'worker' : 'child process';
    console.log(`== ${kind}: import costs in a fresh ${where}, median of ${samples} (ms)`);
    const rows: string[][] = [];
    for (const { title, paths, specifiers } of chains) {
      const result = await probeMedians(kind, specifiers);
      const total = result.steps.reduce((sum, ms) => sum + ms, 0);
      rows.push([title, f1(result.launch), f1(total), '']);
      for (const [index, path] of paths.entries()) {
        rows.push([`  + ${path.replace(/^\.\.?\//, '')}`, '', '', f1(result.steps[index]!)]);
      }
    }
    console.log(table(['probe', 'launch -> 1st line', 'imports', 'step'], rows, [false, true, true, true]));
    console.log();
  }
}

// ---- 3. CPU per agent at the benchmark's concurrency -----------------------------------------

/** CPU of this process (all threads) plus that of its reaped children, ms. */
function cpuMs(): number {
  const own = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime + cstime (fields 16 and 17 of stat)
  return (own.user + own.system) / 1000 + ticks * 10; // USER_HZ is 100 on Linux
}

/** Wall time, CPU (all threads and children) and the main thread's own CPU during `run`, ms. */
async function measure(run: () => Promise<unknown>) {
  const cpuBefore = cpuMs();
  const mainBefore = process.threadCpuUsage();
  const start = performance.now();
  await run();
  const main = process.threadCpuUsage(mainBefore);
  return {
    wall: performance.now() - start,
    cpu: cpuMs() - cpuBefore,
    mainCpu: (main.user + main.system) / 1000,
  };
}

if (sections.includes('3')) {
  console.log(
    `== CPU per agent, ${cpuAgents} agents at concurrency ${concurrency} (ms; cpu: this process's threads + reaped children; main cpu: the parent's main thread alone)`,
  );
  const rows: string[][] = [];
  const perAgent = (ms: number) => f1(ms / cpuAgents);
  for (const mode of KINDS) {
    const raw = () => (mode === 'thread' ? rawThreads : rawProcesses)(cpuAgents, concurrency);
    await attempt(`${mode} raw warm-up`, raw);
    const a = await attempt(`${mode} raw`, () => measure(raw));
    rows.push([`${mode} raw`, f1(a.wall), perAgent(a.cpu), '', perAgent(a.mainCpu)]);
    for (const { name, Agent, Orchestrator } of variants) {
      const ours = () => orchestrated(mode, cpuAgents, concurrency, Agent, Orchestrator);
      try {
        await attempt(`${mode} ours[${name}] warm-up`, ours);
        const b = await attempt(`${mode} ours[${name}]`, () => measure(ours));
        rows.push([
          `${mode} ours[${name}]`,
          f1(b.wall),
          perAgent(b.cpu),
          perAgent(b.cpu - a.cpu),
          perAgent(b.mainCpu),
        ]);
      } catch {
        rows.push([`${mode} ours[${name}]`, 'error', '', '', '']);
      }
    }
  }
  console.log(
    table(['run', 'wall', 'cpu/agent', 'extra cpu/agent', 'main-thread cpu/agent'], rows, [
      false,
      true,
      true,
      true,
      true,
    ]),
  );
}

if (incidents.size > 0) {
  console.log('\nFailures during the profile (failed runs were retried):');
  for (const [incident, times] of incidents) console.log(`  ${String(times).padStart(4)} x ${incident}`);
}
