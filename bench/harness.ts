/** Shared pieces of the benchmarks: the raw baselines, the orchestrated runs, stats and output. */
import { execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AgentClass, type OneShotAgent, Orchestrator } from '../src/index.ts';
import { HashAgent } from './agents.ts';
import { intEnv, median } from './numbers.ts';

export { intEnv, median };

export type HashAgentClass = AgentClass<OneShotAgent<{ seed: number }, string>>;
export type OrchestratorClass = typeof Orchestrator;
export type VariantName = 'index' | 'agent' | 'dist-index' | 'dist-agent';

/** One way of running the orchestrated side: which agent class, and which Orchestrator launches it. */
export interface Variant {
  name: VariantName;
  /** What the agent module imports (and where the Orchestrator comes from), for the output. */
  imports: string;
  Agent: HashAgentClass;
  Orchestrator: OrchestratorClass;
}

const DIST_INDEX = new URL('../dist/index.js', import.meta.url);

/**
 * The variants to measure. From source (src/*.ts, Orchestrator from src/index.ts): `index`, the agent
 * module imports the package root; `agent`, it imports the lighter
 * src/agent.ts. From the built package (dist/, what users run; only when dist/ is built), through
 * the package's self-reference: `dist-index` imports `tsorchestrate`, `dist-agent` imports
 * `tsorchestrate/agent`; their Orchestrator is `tsorchestrate`'s (one BaseAgent on both sides).
 */
export async function agentVariants(): Promise<Variant[]> {
  const variants: Variant[] = [{ name: 'index', imports: 'src/index.ts', Agent: HashAgent, Orchestrator }];
  if (existsSync(new URL('../src/agent.ts', import.meta.url))) {
    const light = (await import(new URL('./agents-light.ts', import.meta.url).href)) as {
      LightHashAgent: HashAgentClass;
    };
    variants.push({ name: 'agent', imports: 'src/agent.ts', Agent: light.LightHashAgent, Orchestrator });
  }
  if (existsSync(DIST_INDEX)) {
    // Specifiers in variables: the bench type-checks and runs without dist/ too.
    const packageRoot: string = 'tsorchestrate';
    const dist = (await import(packageRoot)) as { Orchestrator: OrchestratorClass };
    const load = async (file: string) =>
      ((await import(new URL(file, import.meta.url).href)) as { DistHashAgent: HashAgentClass })
        .DistHashAgent;
    variants.push(
      {
        name: 'dist-index',
        imports: 'tsorchestrate (dist)',
        Agent: await load('./agents-dist-index.ts'),
        Orchestrator: dist.Orchestrator,
      },
      {
        name: 'dist-agent',
        imports: 'tsorchestrate/agent (dist)',
        Agent: await load('./agents-dist.ts'),
        Orchestrator: dist.Orchestrator,
      },
    );
  }
  return variants;
}

export const RAW_WORKER = new URL('./raw-worker.ts', import.meta.url);
export const RAW_CHILD = fileURLToPath(new URL('./raw-child.ts', import.meta.url));

/** Runs `launch(0..count-1)` with at most `concurrency` in flight; results in index order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  launch: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await launch(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** One raw worker: resolves with its message once it has exited (the slot frees on exit). */
export function rawWorker(seed: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(RAW_WORKER, { workerData: seed, ...(env ? { env } : {}) });
    let result: string | undefined;
    worker.once('message', (message: string) => {
      result = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`raw worker ${seed} exited with ${code} and result ${result}`));
    });
  });
}

/**
 * One raw child process: resolves with its IPC message once it has exited and its IPC channel has
 * closed ('close', not 'exit': 'exit' can come before the last IPC message has been read).
 */
export function rawChild(seed: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(RAW_CHILD, [String(seed)], env ? { env } : {});
    let result: string | undefined;
    child.once('message', (message) => {
      result = message as string;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`raw child ${seed} exited with ${code ?? signal} and result ${result}`));
    });
  });
}

/**
 * The environment of a raw worker / child that uses Node's compile cache, in the directory
 * tsorchestrate gives its agents (NODE_COMPILE_CACHE, else the OS temp dir's node-compile-cache).
 */
export function compileCacheEnv(): NodeJS.ProcessEnv {
  const directory =
    getCompileCacheDir() ?? process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache');
  return { ...process.env, NODE_COMPILE_CACHE: directory };
}

/** `count` raw workers at `concurrency`; with `env` (e.g. `compileCacheEnv()`) as their environment. */
export const rawThreads = (count: number, concurrency: number, env?: NodeJS.ProcessEnv) =>
  pool(count, concurrency, (seed) => rawWorker(seed, env));
export const rawProcesses = (count: number, concurrency: number, env?: NodeJS.ProcessEnv) =>
  pool(count, concurrency, (seed) => rawChild(seed, env));

/** `count` one-shot HashAgents through one Orchestrator (src/'s, or dist/'s) at `maxWorkers: concurrency`; results in order. */
export async function orchestrated(
  mode: 'thread' | 'process',
  count: number,
  concurrency: number,
  Agent: HashAgentClass = HashAgent,
  OrchestratorClass: OrchestratorClass = Orchestrator,
): Promise<string[]> {
  const orchestrator = new OrchestratorClass({ maxWorkers: concurrency, logLevel: 'silent' });
  const entries = Array.from({ length: count }, (_, seed) =>
    orchestrator.registerAgent(Agent, { name: `hash-${seed}`, mode, config: { seed } }),
  );
  try {
    await orchestrator.start();
    await orchestrator.join();
    const failed = entries.filter(
      (entry) => entry.status !== 'completed' || typeof entry.result !== 'string',
    );
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(
        `${failed.length}/${count} ${mode} agents did not complete (first: ${first.name} ${first.status}: ${first.lastError?.message ?? ''})`,
      );
    }
    return entries.map((entry) => entry.result as string);
  } finally {
    await orchestrator.shutdown();
  }
}

/**
 * Failures seen during a run, by kind (agent names folded away), with how often each happened.
 * Errors thrown from tsorchestrate's own event handlers are caught here (see `guardUncaught`)
 * instead of killing the benchmark; the first of each kind is printed at once.
 */
export const incidents = new Map<string, number>();

export function recordIncident(kind: string, text: string): void {
  const key = `${kind}: ${text.replace(/hash-\d+/g, 'hash-N').replace(/\b\d+\/\d+\b/g, 'n/N')}`;
  const seen = incidents.get(key) ?? 0;
  incidents.set(key, seen + 1);
  if (seen === 0) console.error(`!! ${kind}: ${text}`);
}

export function guardUncaught(): void {
  process.on('uncaughtException', (error) => {
    const text = (error instanceof Error ? (error.stack ?? error.message) : String(error))
      .split('\n')
      .slice(0, 2)
      .map((part) => part.trim())
      .join(' ');
    recordIncident('uncaught exception (from src/, the run goes on)', text);
  });
}

/** Runs `run`, retrying up to `tries` times when it fails (each failure is printed and counted). */
export async function attempt<T>(what: string, run: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      recordIncident('run failed, retried', message);
      console.error(`!! ${what}: attempt ${i}/${tries} failed`);
      if (i >= tries) throw error;
    }
  }
}

/** Wall time of `run()` in ms, and what it returned. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return [
    `cpu: ${cpu} (${cpus().length} cores, availableParallelism ${availableParallelism()})`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average at start: ${load}`,
    `node: ${process.version} (${process.platform}-${process.arch}), v8 ${process.versions.v8}`,
    `NODE_COMPILE_CACHE: ${process.env.NODE_COMPILE_CACHE ?? '(unset)'}`,
    `tree: ${treeState()}`,
  ].join('\n');
}

/** Which src/ was measured: the commit, and whether src/ has uncommitted changes. */
function treeState(): string {
  try {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `${git('log', '-1', '--format=%h %s')}${dirty ? ` (+${dirty} uncommitted change(s) in src/)` : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

/** A plain aligned text table; `right[i]` right-aligns column i. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
) {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
