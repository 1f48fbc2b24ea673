/**
 * The whole benchmark suite (issue 6), each part in its own process, then one table of the ratios:
 *  (a) 200 one-shot thread agents @ 8 vs a raw `new Worker` loop      bench/run.ts
 *  (b) 100 one-shot process agents @ 8 vs a raw `fork` loop           bench/run.ts
 *  (c) 100,000 inline one-shot agents vs p-queue                      bench/scheduling.ts
 *  (d) termination noticed, p50 / p99 per mode                        bench/probes.ts
 *  (e) events per second, thread agent -> listener vs MessagePort     bench/probes.ts
 *  (f) memory per 1,000 idle agents and per running thread agent      bench/probes.ts
 *  and warm reuse vs Piscina and PyOrchestrate's figures              bench/reuse.ts
 *
 *   npm run bench      (about 2.5 minutes here; every part's own output is shown as it runs)
 *
 * BENCH_ROUNDS (default 3) applies to every part but (a) and (b), which run BENCH_LAUNCH_ROUNDS
 * (default 7): on a small machine they move the most from round to round, so they get more rounds,
 * and only what their ratios need (the bundled agent against the raw loop with the compile cache;
 * `npm run bench:launch` runs every variant and baseline).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

process.env.BENCH_ROUNDS ??= '3';

async function part(script: string, env: Record<string, string> = {}, flags: string[] = []): Promise<string> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...flags, path], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${script} exited with code ${code}`);
  return output;
}

const find = (text: string, pattern: RegExp, what: string): RegExpMatchArray => {
  const match = text.match(pattern);
  if (!match) throw new Error(`no ${what} in the output`);
  return match;
};

const started = performance.now();
const launch = await part('./run.ts', {
  BENCH_VARIANTS: 'dist-agent',
  BENCH_BASELINES: 'raw+cache',
  BENCH_ROUNDS: process.env.BENCH_LAUNCH_ROUNDS ?? '7',
});
const scheduling = await part('./scheduling.ts', { BENCH_INLINE_AGENTS: '100000' }, ['--expose-gc']);
const probes = await part('./probes.ts', {}, ['--expose-gc']);
const reuse = await part('./reuse.ts');

const launchRatio = (mode: string, imports: string) =>
  find(
    launch,
    new RegExp(
      `\\d+ ${mode} agents @ \\d+, agent imports ${imports.replace(/[()/]/g, '\\$&')}, vs raw\\+cache\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)`,
    ),
    `${mode} ${imports} ratio`,
  );
const threadLaunch = launchRatio('thread', 'tsorchestrate/agent (dist)');
const processLaunch = launchRatio('process', 'tsorchestrate/agent (dist)');
const inline = find(
  scheduling,
  /tsorchestrate (\d+) ms, p-queue (\d+) ms, throughput ratio ([\d.]+)/,
  'p-queue ratio',
);
const latency = (label: string) =>
  find(
    probes,
    new RegExp(`  ${label.replace(/[()]/g, '\\$&')}\\s+p50 ([\\d.]+) ms\\s+p99 ([\\d.]+) ms`),
    `${label} latency`,
  );
const events = find(probes, /raw MessagePort (\d+)\/s, tsorchestrate (\d+)\/s, ratio ([\d.]+)/, 'event rate');
const idle = find(probes, /per 1,000 idle registered agents: (\d+) KiB/, 'idle memory');
const perThread = find(probes, /per running thread agent: ([\d.]+) MiB of RSS, (\d+) KiB/, 'thread memory');
const reuseThreads = find(reuse, /thread agents, reuse\s+(\d+) ms/, 'thread reuse');
const piscina = find(
  reuse,
  /tasks on Piscina\s+(\d+) ms\s+throughput ratio tsorchestrate\/Piscina ([\d.]+)/,
  'piscina',
);
const reuseProcesses = find(reuse, /process agents, reuse\s+(\d+) ms/, 'process reuse');

const rows: [string, string, string, string][] = [
  [
    '(a) 200 thread agents @ 8 vs new Worker loop (+compile cache)',
    `${threadLaunch[2]} vs ${threadLaunch[1]} ms`,
    threadLaunch[3]!,
    '<= 1.10',
  ],
  [
    '(b) 100 process agents @ 8 vs fork loop (+compile cache)',
    `${processLaunch[2]} vs ${processLaunch[1]} ms`,
    processLaunch[3]!,
    '<= 1.10',
  ],
  [
    '(c) 100,000 inline agents @ 64 vs p-queue (throughput)',
    `${inline[1]} vs ${inline[2]} ms`,
    inline[3]!,
    '>= 1.0',
  ],
  ...(['@1', '@4'] as const)
    .flatMap((at) =>
      (['inline', 'thread', 'thread (reuse)', 'process', 'process (reuse)'] as const).map(
        (mode) => `${mode} ${at}`,
      ),
    )
    .map((label): [string, string, string, string] => {
      const [, p50, p99] = latency(label);
      return [
        `(d) termination noticed, ${label}: p50 / p99`,
        `${p50} / ${p99} ms`,
        '',
        label.startsWith('process') ? '' : 'p50 < 1 ms',
      ];
    }),
  [
    '(e) events/s thread agent -> listener vs MessagePort',
    `${events[2]} vs ${events[1]}/s`,
    events[3]!,
    '>= 0.8',
  ],
  ['(f) memory per 1,000 idle registered agents', `${idle[1]} KiB heap + array buffers`, '', ''],
  ['(f) memory per running thread agent', `${perThread[1]} MiB RSS, ${perThread[2]} KiB heap`, '', ''],
  [
    'reuse: 200 thread agents @ 8 vs Piscina (throughput)',
    `${reuseThreads[1]} vs ${piscina[1]} ms`,
    piscina[2]!,
    '>= 1.0',
  ],
  [
    'reuse: 200 thread agents vs PyOrchestrate 3.0 s',
    `${reuseThreads[1]} ms`,
    `${(3000 / Number(reuseThreads[1])).toFixed(1)}x`,
    '>= 3x',
  ],
  [
    'reuse: 100 process agents vs PyOrchestrate 3.0 s',
    `${reuseProcesses[1]} ms`,
    `${(3000 / Number(reuseProcesses[1])).toFixed(1)}x`,
    '>= 3x',
  ],
];
const header = ['scenario', 'figures', 'ratio', 'target'];
const widths = [0, 1, 2, 3].map((column) =>
  Math.max(...rows.map((row) => row[column]!.length), header[column]!.length),
);
// A Markdown table, padded so it also reads as one in a terminal: the README's is pasted from it.
const format = (row: readonly string[]) =>
  `| ${row.map((cell, column) => (column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
console.log(
  `\n== summary (medians of ${process.env.BENCH_LAUNCH_ROUNDS ?? 7} rounds for (a) and (b), ${process.env.BENCH_ROUNDS} for the rest; ${((performance.now() - started) / 60_000).toFixed(1)} min)`,
);
console.log(format(header));
console.log(
  `| ${widths.map((width, column) => (column === 2 ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`,
);
for (const row of rows) console.log(format(row));
