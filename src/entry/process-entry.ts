/**
 * Entry point of a child process. Turns on the compile cache before loading anything else
 * (see thread-entry.ts).
 */
import module from 'node:module';

module.enableCompileCache?.();
await import('./process-transport.ts');
