/** Raw baseline for the event-rate benchmark: posts `count` small messages to the parent port. */
import { parentPort, workerData } from 'node:worker_threads';

if (!parentPort) throw new Error('raw-chatter.ts must run in a worker thread.');
const count = workerData as number;
for (let sequence = 1; sequence <= count; sequence++) parentPort.postMessage({ type: 'heartbeat', sequence });
