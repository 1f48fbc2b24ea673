// Import-cost probe for the profiler (bench/profile.ts). Plain JavaScript on purpose, so that loading
// the probe itself does not start Node's TypeScript stripper: the first `.ts` step pays for that.
// Runs in a fresh worker (specifiers in workerData) or a forked child (specifiers in argv); imports
// them in order and reports when it started (epoch ms) and how long each import took.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const startedAt = performance.timeOrigin + performance.now();
const specifiers = parentPort ? workerData : JSON.parse(process.argv[2] ?? '[]');
const steps = [];
for (const specifier of specifiers) {
  const before = performance.now();
  await import(specifier);
  steps.push([specifier, performance.now() - before]);
}
const report = { startedAt, bootMs: performance.now(), steps };
// Exit explicitly: an imported module may have left a listener that keeps the thread alive.
if (parentPort) {
  parentPort.postMessage(report);
  process.exit(0);
} else process.send(report, undefined, {}, () => process.exit(0));
