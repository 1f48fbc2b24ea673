/** Piscina's task module for bench/reuse.ts: the same work as every other side. */
import { work } from './work.ts';

export default function task(seed: number): string {
  return work(seed);
}
