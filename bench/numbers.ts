/**
 * Numbers for the benchmarks: settings from the environment, and medians. It imports nothing of
 * src/, so bench/compare-trees.ts can load whichever trees it compares, and only those.
 */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0, got ${raw}`);
  return value;
}

/**
 * BENCH_SEMI_SPACE_MB pins V8's young generation (semi-space size, MB) in the child processes a
 * tree comparison forks: the flags, and how to say so. Unset, V8 sizes it by what the process
 * allocates and keeps, and a round inherits the collector's state from what ran before it
 * (bench/README.md, (c)).
 */
export function youngGeneration(): { flags: string[]; label: string } {
  if (process.env.BENCH_SEMI_SPACE_MB === undefined) return { flags: [], label: 'sized by V8' };
  const mb = intEnv('BENCH_SEMI_SPACE_MB', 16);
  return {
    flags: [`--min-semi-space-size=${mb}`, `--max-semi-space-size=${mb}`],
    label: `${mb} MB semi-spaces`,
  };
}
