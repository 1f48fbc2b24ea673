/** Raw baseline, thread side: `new Worker(this file, { workerData: seed })` posts `work(seed)` and exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { work } from './work.ts';

if (!parentPort) throw new Error('raw-worker.ts must run in a worker thread.');
parentPort.postMessage(work(workerData as number));
