import { grown } from '../grown.ts';

/** Steps per chunk: a chunk's columns are small allocations the allocator reuses, not fresh pages. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const OFFSET = CHUNK - 1;

/** One chunk of the log's columns, by position in the chunk. */
class Chunk {
  /** The step (its code). */
  readonly steps = new Uint8Array(CHUNK);
  /** When it happened. */
  readonly times = new Float64Array(CHUNK);
  /** What its detail is written from (a number, a string...). */
  readonly sources: unknown[] = new Array(CHUNK).fill(undefined);
  /** Its agent. */
  readonly agents = new Int32Array(CHUNK);
  /** The same agent's step before it: its position in the log, or -1. */
  readonly previous = new Int32Array(CHUNK);
}

/**
 * Every agent's history steps (agent-stats.ts), in one log of typed columns shared by all the
 * agents of an orchestrator. Each agent keeps its newest `limit` steps, chained newest first.
 *
 * Why one log: a history kept per agent (an array of steps that grows as the agent runs) is young
 * memory hung on an old object, for every run of every agent, which the garbage collector then
 * copies and marks again and again. Here a step allocates nothing, and all its columns but one are
 * typed arrays, with nothing in them to trace (the one holds what a step's detail is written from:
 * a number, a string shared by many steps, an error's payload). The log grows by chunks of 4,096
 * steps, not by copying into columns twice as long:
 * those are fresh pages from the system each time, and a page fault costs ~10 µs on this VM
 * (bench/README.md, (c)).
 */
export class StepLog {
  /** How many steps each agent keeps: its newest. */
  readonly #limit: number;
  readonly #chunks: Chunk[] = [];
  #length = 0;
  /** Steps some agent still keeps: the others are dropped at the next compaction. */
  #kept = 0;
  /** By agent: its newest step's position (-1: none), and how many steps it has had in all. */
  #newest = new Int32Array(64).fill(-1);
  #counts = new Int32Array(64);
  #agentCount = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Room for one more agent: its index, from 0 up. */
  addAgent(): number {
    const agent = this.#agentCount++;
    if (agent === this.#newest.length) {
      this.#newest = grown(this.#newest, agent * 2, -1);
      this.#counts = grown(this.#counts, agent * 2);
    }
    return agent;
  }

  /** The steps the log has room for, dropped ones included until the next compaction (for tests). */
  get capacity(): number {
    return this.#chunks.length * CHUNK;
  }

  /** `agent` took `step` at `time`; `source` is what its detail is written from. */
  append(agent: number, step: number, time: number, source: unknown): void {
    if (this.#length === this.#chunks.length * CHUNK) this.#makeRoom();
    const at = this.#length++;
    const chunk = this.#chunks[at >>> CHUNK_BITS]!;
    const offset = at & OFFSET;
    chunk.steps[offset] = step;
    chunk.times[offset] = time;
    chunk.sources[offset] = source;
    chunk.agents[offset] = agent;
    chunk.previous[offset] = this.#newest[agent]!;
    this.#newest[agent] = at;
    // Past its limit, an agent's new step takes the place of its oldest: the kept count stays.
    if (this.#counts[agent]!++ < this.#limit) this.#kept++;
  }

  /** How many steps `agent` has had in all, dropped ones included. */
  count(agent: number): number {
    return this.#counts[agent]!;
  }

  /** `agent`'s kept steps, oldest first: `visit(step, time, source)` for each. */
  forEach(agent: number, visit: (step: number, time: number, source: unknown) => void): void {
    const positions: number[] = [];
    for (let at = this.#newest[agent]!; at >= 0 && positions.length < this.#limit; ) {
      positions.push(at);
      at = this.#chunks[at >>> CHUNK_BITS]!.previous[at & OFFSET]!;
    }
    for (let index = positions.length - 1; index >= 0; index--) {
      const at = positions[index]!;
      const chunk = this.#chunks[at >>> CHUNK_BITS]!;
      const offset = at & OFFSET;
      visit(chunk.steps[offset]!, chunk.times[offset]!, chunk.sources[offset]);
    }
  }

  /** The log is full: drop the steps no agent keeps when they are at least half of it, else add a chunk. */
  #makeRoom(): void {
    if ((this.#length - this.#kept) * 2 >= this.#length && this.#length > 0) this.#compact();
    else this.#chunks.push(new Chunk());
  }

  /**
   * Keeps each agent's newest `limit` steps, in log order, re-chained, and lets go of the chunks
   * left empty but one. Linear in the log and the agents; amortised O(1) a step, since at least
   * half the log is dropped each time.
   */
  #compact(): void {
    const chunks = this.#chunks;
    const inLog = new Int32Array(this.#agentCount);
    for (let at = 0; at < this.#length; at++) inLog[chunks[at >>> CHUNK_BITS]!.agents[at & OFFSET]!]!++;
    const newest = this.#newest.fill(-1);
    let kept = 0;
    for (let at = 0; at < this.#length; at++) {
      const from = chunks[at >>> CHUNK_BITS]!;
      const offset = at & OFFSET;
      const agent = from.agents[offset]!;
      // Keep the step when fewer than `limit` of the agent's steps come after it.
      if (inLog[agent]!-- > this.#limit) continue;
      const to = chunks[kept >>> CHUNK_BITS]!;
      const into = kept & OFFSET;
      to.steps[into] = from.steps[offset]!;
      to.times[into] = from.times[offset]!;
      to.sources[into] = from.sources[offset];
      to.agents[into] = agent;
      to.previous[into] = newest[agent]!;
      newest[agent] = kept;
      kept++;
    }
    for (let at = kept; at < this.#length; at++) chunks[at >>> CHUNK_BITS]!.sources[at & OFFSET] = undefined;
    // At least half the log was dropped, so the chunk after the kept steps exists.
    chunks.length = Math.min(chunks.length, Math.ceil(kept / CHUNK) + 1);
    this.#length = kept;
    this.#kept = kept;
  }
}
