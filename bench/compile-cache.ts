import { enableCompileCache, getCompileCacheDir } from 'node:module';

/**
 * BENCH_COMPILE_CACHE=1: turn on Node's module compile cache here and export NODE_COMPILE_CACHE so
 * every worker thread and child process (both sides of each benchmark) uses it too.
 * (Setting NODE_COMPILE_CACHE=dir yourself does the same from the start.)
 */
export function maybeEnableCompileCache(): string | undefined {
  if (process.env.BENCH_COMPILE_CACHE !== '1') return getCompileCacheDir();
  const result = enableCompileCache();
  if (result.directory) process.env.NODE_COMPILE_CACHE = result.directory;
  else console.warn(`compile cache not enabled: ${result.message ?? result.status}`);
  return getCompileCacheDir();
}
