/**
 * First code a worker thread or child process runs. Plain JavaScript on purpose: the first `.ts`
 * file an isolate loads makes Node initialise its type stripper (~20 ms per worker), and the
 * compile cache must be on before anything else loads (it serves later workers' code, stripped
 * and compiled, from disk; shared by every thread and process). Honours NODE_COMPILE_CACHE and
 * NODE_DISABLE_COMPILE_CACHE. Then loads the protocol transport for this side.
 */
import module from 'node:module';
import { isMainThread, workerData } from 'node:worker_threads';

module.enableCompileCache?.();
await import(isMainThread ? process.argv[2] : workerData.transport);
