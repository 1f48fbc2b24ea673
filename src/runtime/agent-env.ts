import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment of an agent's thread or process: ours, with Node's compile cache on. Node reads
 * NODE_COMPILE_CACHE as the thread or process starts, before any module loads, so every one after
 * the first loads our modules and the agent's from the cache (compiled and, for `.ts`, stripped),
 * without a first module of ours having to turn it on. A NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE of the user's is left as it is. The directory is the one
 * `module.enableCompileCache()` would pick.
 */
export function agentEnv(): NodeJS.ProcessEnv {
  const env = process.env;
  if (env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return env;
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') };
}
