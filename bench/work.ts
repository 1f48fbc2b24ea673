/**
 * The one unit of work both sides of the launch benchmarks run: raw `new Worker` / `fork`
 * scripts and the tsorchestrate agent all import this function, so they do identical work.
 */
import { createHash } from 'node:crypto';

export const WORK_BUFFER_BYTES = 64 * 1024;
export const WORK_ROUNDS = 20;

/** sha256 of a 64 KiB buffer (seeded), chained `rounds` times; returns the last digest in hex. */
export function work(seed: number, rounds: number = WORK_ROUNDS): string {
  const buffer = Buffer.alloc(WORK_BUFFER_BYTES, seed & 0xff);
  buffer.writeUInt32LE(seed >>> 0, 0);
  let digest = '';
  for (let i = 0; i < rounds; i++) {
    digest = createHash('sha256').update(buffer).update(digest).digest('hex');
  }
  return digest;
}
