// Preloaded with --import by bench/modules.ts into its own process, and so (execArgv is inherited)
// into every worker thread and child process it starts. Plain JavaScript, so that it does not start
// Node's type stripper itself. Records every module this thread loads (node: builtins aside) and, in
// a worker or child, appends them as one JSON line to $BENCH_MODULE_LOG when the thread exits.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { isMainThread, threadId } from 'node:worker_threads';

const loaded = [];
registerHooks({
  load(url, context, nextLoad) {
    if (!url.startsWith('node:') && url !== import.meta.url) loaded.push(url);
    return nextLoad(url, context);
  },
});

const log = process.env.BENCH_MODULE_LOG;
const side = isMainThread ? (process.send ? 'process' : undefined) : 'thread';
if (log && side) {
  process.on('exit', () => {
    appendFileSync(log, `${JSON.stringify({ side, pid: process.pid, threadId, modules: loaded })}\n`);
  });
}
