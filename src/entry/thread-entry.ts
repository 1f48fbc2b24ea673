/**
 * Entry point of a worker thread. A fresh isolate compiles every module it loads; the compile
 * cache (shared with every later worker and process) roughly halves that, so turn it on before
 * loading anything else. Honours NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE.
 */
import module from 'node:module';

module.enableCompileCache?.();
await import('./thread-transport.ts');
