/**
 * Hashes every file under a directory with thread agents, shows progress with an inline periodic
 * agent, and writes a manifest from a process agent; prints a summary.
 *
 *   tsorchestrate run examples/file-manifest/main.ts [dir] [outDir]
 *
 * `dir` defaults to this repository's `src/`, `outDir` to a fresh directory under the OS temp dir.
 * Importing this module only defines functions: `main` is the default export.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentEntry, type AgentMode, Orchestrator } from 'tsorchestrate';
import { Hasher, Progress, Writer, type WriterResult } from './agents.ts';

/** How many hashers share the files, and how many hash at once. */
const HASHERS = 8;
const CONCURRENT_HASHERS = 4;

/** Where the summary goes; `process.stdout` unless a caller (a test) passes its own. */
export interface Output {
  write(text: string): unknown;
}

export default async function main(args: string[], out: Output = process.stdout): Promise<number> {
  const startedAt = performance.now();
  const root = resolve(args[0] ?? fileURLToPath(new URL('../../src/', import.meta.url)));
  const outDir = args[1] ? resolve(args[1]) : await mkdtemp(join(tmpdir(), 'file-manifest-'));
  const files = await listFiles(root);

  // maxWorkers counts agents of every mode: one slot for the progress agent, the rest for hashers.
  const orchestrator = new Orchestrator({ name: 'file-manifest', maxWorkers: CONCURRENT_HASHERS + 1 });
  const partsDir = join(outDir, '.parts');

  // Hashers in threads and progress inline share a counter through shared memory.
  const progressCounter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const progress = orchestrator.registerAgent(Progress, {
    name: 'progress',
    mode: 'inline',
    priority: 1, // never queued behind the hashers
    config: { interval: 200, progress: progressCounter, total: files.length },
  });
  const hashers = split(files, HASHERS).map((share, index) =>
    orchestrator.registerAgent(Hasher, {
      name: `hasher-${index + 1}`,
      mode: 'thread',
      config: { root, files: share, progress: progressCounter, partsDir },
    }),
  );
  // The writer, in a child process, starts once every hasher has completed; if one fails, it is skipped.
  const writer = orchestrator.registerAgent(Writer, {
    name: 'writer',
    mode: 'process',
    config: { outDir, root, partsDir },
    dependsOn: hashers.map((hasher) => ({ agent: hasher.name, condition: 'completed' as const })),
  });

  await orchestrator.start();
  await Promise.all(hashers.map((hasher) => hasher.join()));
  await progress.stop();
  await orchestrator.join();
  const entries = hashers.flatMap((hasher) => hasher.result ?? []);
  const written: WriterResult | undefined = writer.result;

  const agents = orchestrator.agents();
  printSummary(out, {
    root,
    files: entries.length,
    bytes: entries.reduce((sum, entry) => sum + entry.size, 0),
    elapsedMs: performance.now() - startedAt,
    manifest: written?.path,
    agents,
  });
  return agents.some((agent) => agent.status === 'failed' || agent.status === 'skipped') || !written ? 1 : 0;
}

/** Every regular file under `root`, relative to it with `/` separators, sorted. */
async function listFiles(root: string): Promise<string[]> {
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  return found
    .filter((dirent) => dirent.isFile())
    .map((dirent) => relative(root, join(dirent.parentPath, dirent.name)).split(sep).join('/'))
    .sort();
}

/** Deals `items` round-robin into at most `count` non-empty shares. */
function split<T>(items: readonly T[], count: number): T[][] {
  const shares: T[][] = Array.from({ length: Math.min(count, items.length) }, () => []);
  for (const [index, item] of items.entries()) shares[index % shares.length]!.push(item);
  return shares;
}

interface Summary {
  root: string;
  files: number;
  bytes: number;
  elapsedMs: number;
  manifest: string | undefined;
  agents: AgentEntry[];
}

function printSummary(out: Output, { root, files, bytes, elapsedMs, manifest, agents }: Summary): void {
  const perMode = new Map<AgentMode, number>();
  for (const agent of agents) perMode.set(agent.mode, (perMode.get(agent.mode) ?? 0) + 1);
  const width = Math.max(...agents.map((agent) => agent.name.length));
  const lines = [
    'file-manifest summary',
    `  directory     ${root}`,
    `  files hashed  ${files}`,
    `  total bytes   ${bytes}`,
    `  agents        ${[...perMode].map(([mode, count]) => `${mode}: ${count}`).join(', ')}`,
    `  elapsed       ${Math.round(elapsedMs)} ms`,
    `  manifest      ${manifest ?? '(not written)'}`,
    '  agent status',
    ...agents.map((agent) => `    ${agent.name.padEnd(width)}  ${agent.mode.padEnd(7)}  ${describe(agent)}`),
  ];
  out.write(`${lines.join('\n')}\n`);
}

function describe(agent: AgentEntry): string {
  const state = agent.state;
  if (state.status === 'failed') {
    return `failed${state.reason === 'killed' ? ' (killed)' : ''}: ${state.error.message}`;
  }
  if (state.status === 'skipped') return `skipped: ${state.reason}`;
  const result = agent.result;
  return Array.isArray(result) ? `${state.status} (${result.length} files)` : state.status;
}
