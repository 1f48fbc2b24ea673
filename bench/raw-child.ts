/** Raw baseline, process side: `fork(this file, [seed])` sends `work(seed)` over IPC and exits. */
import { work } from './work.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('raw-child.ts must be forked with an IPC channel.');
send(work(Number(process.argv[2])), undefined, {}, () => process.exit(0));
