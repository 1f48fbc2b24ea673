/**
 * A floor for (c): how fast can an orchestrator run 100,000 trivial inline agents at all, doing
 * only the work (c)'s semantics require of every agent? `FloorOrchestrator` below is that work as
 * one flat loop, measured beside p-queue and tsorchestrate in one process, the order rotating from
 * round to round (each side inherits the collector's state from what ran before it).
 *
 *   npm run bench:floor          (node --expose-gc bench/floor.ts)
 *
 * Per agent it does what tsorchestrate does for (c), and nothing else:
 *  - registration: the name checked and unique (a `Map`), the config merged from the class's
 *    defaults, a record, and an entry keeping a frozen copy of the options;
 *  - eleven events (registered, five state changes, queued, started, ready, running, terminated,
 *    as in tsorchestrate's history), each written to a bounded history's columns (10,000 events)
 *    and to a log of steps by agent, and checked for listeners; `terminated` keeps its payload
 *    (the result, the reason, the duration...), the others a code;
 *  - a run: the same agent class built from a context, its setup, work and onClose called, in an
 *    `AsyncLocalStorage` context of its own (what traces an unhandled rejection to it), and ended
 *    one event-loop turn after its lifecycle (one turn shared by every run that ended in it), when
 *    its slot goes to the next agent.
 * It leaves out what a trivial agent never reaches: asynchronous hooks (it refuses them), plugins,
 * gates, stop requests, restarts, dependencies, config schemas, errors. It is a model for
 * measuring, not a second implementation: nothing else uses it.
 *
 * Environment: BENCH_ROUNDS (9), BENCH_INLINE_AGENTS (100000), BENCH_INLINE_CONCURRENCY (64).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import type { AgentContext } from '../src/agents/base-agent.ts';
import { type AgentClass, OneShotAgent, Orchestrator } from '../src/index.ts';
import { isThenable } from '../src/thenable.ts';
import { intEnv, median } from './numbers.ts';
import { collect, pQueueBatch, trivialAgent, trivialBatch } from './trivial.ts';

const rounds = intEnv('BENCH_ROUNDS', 9);
const agents = intEnv('BENCH_INLINE_AGENTS', 100_000);
const concurrency = intEnv('BENCH_INLINE_CONCURRENCY', 64);

const EVENTS = ['registered', 'state-changed', 'queued', 'started', 'ready', 'running', 'terminated'];
/** Event types, by their index in EVENTS. */
const REGISTERED = 0;
const STATE = 1;
const QUEUED = 2;
const STARTED = 3;
const READY = 4;
const RUNNING = 5;
const TERMINATED = 6;
/** Statuses, as codes. */
const WAITING = 1;
const STARTING = 2;
const IS_READY = 3;
const IS_RUNNING = 4;
const COMPLETED = 5;

interface FloorRecord {
  readonly name: string;
  readonly index: number;
  readonly AgentClass: AgentClass;
  readonly config: object;
  entry: FloorEntry | undefined;
  status: number;
  since: number;
  result: unknown;
}

class FloorEntry {
  readonly #record: FloorRecord;
  readonly options: object;
  constructor(record: FloorRecord, options: object) {
    this.#record = record;
    this.options = Object.freeze({ ...options });
  }
  get name(): string {
    return this.#record.name;
  }
}

/** Columns of fixed length, written round and round: what the bounded history and the step log cost. */
class Columns {
  readonly #time: Float64Array;
  readonly #code: Int32Array;
  readonly #type: Uint8Array;
  /** The event's agent, or its payload when it has one of its own. */
  readonly #held: unknown[];
  #next = 0;
  constructor(capacity: number) {
    this.#time = new Float64Array(capacity);
    this.#code = new Int32Array(capacity);
    this.#type = new Uint8Array(capacity);
    this.#held = new Array(capacity).fill(undefined);
  }
  /** Writes one event; returns its slot. */
  add(type: number, held: unknown, time: number, code: number): number {
    const at = this.#next;
    this.#next = at + 1 === this.#time.length ? 0 : at + 1;
    this.#time[at] = time;
    this.#code[at] = code;
    this.#type[at] = type;
    this.#held[at] = held;
    return at;
  }
}

/**
 * The log of steps by agent: columns as above, and each step chained to its agent's step before
 * it, so that an agent's steps can be read newest first (what tsorchestrate's step log keeps).
 */
class StepColumns extends Columns {
  readonly #previous: Int32Array;
  #newest = new Int32Array(1024).fill(-1);
  constructor(capacity: number) {
    super(capacity);
    this.#previous = new Int32Array(capacity);
  }
  step(type: number, record: FloorRecord, time: number, code: number): void {
    const at = this.add(type, record, time, code);
    if (record.index >= this.#newest.length) {
      const grown = new Int32Array(this.#newest.length * 2).fill(-1);
      grown.set(this.#newest);
      this.#newest = grown;
    }
    this.#previous[at] = this.#newest[record.index]!;
    this.#newest[record.index] = at;
  }
}

/** What the agent is built from: its name, mode, config and the hooks it calls (a class: no closures per run). */
class FloorContext {
  readonly #record: FloorRecord;
  constructor(record: FloorRecord) {
    this.#record = record;
  }
  get name(): string {
    return this.#record.name;
  }
  get mode(): 'inline' {
    return 'inline';
  }
  get config(): object {
    return this.#record.config;
  }
  get events(): undefined {
    return undefined;
  }
  get plugins(): readonly never[] {
    return NO_PLUGINS;
  }
  get signal(): AbortSignal {
    return new AbortController().signal;
  }
  createLogger(): never {
    throw new Error('the floor has no logger');
  }
  heartbeat(): void {}
  forward(): void {}
}
const NO_PLUGINS: readonly never[] = [];

/** A run, traced by the guard's context. */
interface FloorRun {
  readonly record: FloorRecord;
  readonly launchedAt: number;
}

class FloorOrchestrator {
  readonly #records = new Map<string, FloorRecord>();
  readonly #history = new Columns(10_000);
  readonly #steps = new StepColumns(1 << 16);
  readonly #emitter = new EventEmitter();
  readonly #context = new AsyncLocalStorage<FloorRun>();
  readonly #queue: FloorRecord[] = [];
  #queued = 0;
  #active = 0;
  #left = 0;
  #ending: FloorRun[] = [];
  #turnScheduled = false;
  #done: (() => void) | undefined;

  registerAgent(AgentClass: AgentClass, options: { name: string; config: object }): FloorEntry {
    const { name } = options;
    if (typeof name !== 'string' || name.length === 0 || name.includes('/'))
      throw new Error(`bad name ${name}`);
    if (this.#records.has(name)) throw new Error(`"${name}" is taken`);
    const record: FloorRecord = {
      name,
      index: this.#records.size,
      AgentClass,
      config: Object.freeze({ ...AgentClass.defaults, ...options.config }),
      entry: undefined,
      status: 0,
      since: 0,
      result: undefined,
    };
    record.entry = new FloorEntry(record, options);
    this.#records.set(name, record);
    this.#event(REGISTERED, record, 0);
    return record.entry;
  }

  start(): Promise<void> {
    for (const record of this.#records.values()) {
      this.#transition(record, WAITING);
      this.#queue.push(record);
      this.#event(QUEUED, record, this.#queue.length);
    }
    this.#left = this.#queue.length;
    const done = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    this.#pump();
    return done;
  }

  #event(type: number, record: FloorRecord, code: number, payload?: object): number {
    const time = Date.now();
    this.#steps.step(type, record, time, code);
    this.#history.add(type, payload ?? record, time, code);
    if (this.#emitter.listenerCount(EVENTS[type]!) > 0) this.#emitter.emit(EVENTS[type]!, record.name);
    return time;
  }

  #transition(record: FloorRecord, status: number): void {
    record.status = status;
    record.since = this.#event(STATE, record, status);
  }

  #pump(): void {
    while (this.#active < concurrency && this.#queued < this.#queue.length) {
      this.#active++;
      const record = this.#queue[this.#queued++]!;
      queueMicrotask(() => this.#run({ record, launchedAt: performance.now() }));
    }
  }

  #run(run: FloorRun): void {
    this.#context.enterWith(run);
    const { record } = run;
    this.#transition(record, STARTING);
    const agent = new record.AgentClass(new FloorContext(record) as unknown as AgentContext<never>);
    this.#event(STARTED, record, 0);
    if (isThenable(agent.setup())) throw new Error('the floor takes synchronous hooks only');
    this.#transition(record, IS_READY);
    this.#event(READY, record, 0);
    this.#transition(record, IS_RUNNING);
    this.#event(RUNNING, record, 0);
    record.result = agent.run();
    if (isThenable(record.result) || isThenable(agent.onClose())) {
      throw new Error('the floor takes synchronous hooks only');
    }
    this.#ending.push(run);
    if (!this.#turnScheduled) {
      this.#turnScheduled = true;
      setImmediate(() => this.#turn());
    }
  }

  #turn(): void {
    this.#turnScheduled = false;
    const ended = this.#ending;
    this.#ending = [];
    for (const run of ended) {
      const { record } = run;
      this.#transition(record, COMPLETED);
      this.#event(TERMINATED, record, 0, {
        agent: record.name,
        timestamp: record.since,
        reason: 'completed',
        exitCode: 0,
        signal: null,
        result: record.result,
        error: undefined,
        durationMs: performance.now() - run.launchedAt,
      });
      this.#active--;
      this.#left--;
    }
    this.#pump();
    if (this.#left === 0) this.#done?.();
  }
}

const Trivial = trivialAgent(OneShotAgent);

async function floor(): Promise<number> {
  const orchestrator = new FloorOrchestrator();
  collect();
  const start = performance.now();
  for (let i = 0; i < agents; i++)
    orchestrator.registerAgent(Trivial, { name: `t${i}`, config: { value: i } });
  await orchestrator.start();
  return performance.now() - start;
}

const sides = {
  floor,
  tsorchestrate: () => trivialBatch(Orchestrator, Trivial, agents, concurrency),
  'p-queue': () => pQueueBatch(agents, concurrency),
};
const names = Object.keys(sides) as (keyof typeof sides)[];
const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
  keyof typeof sides,
  number[]
>;

console.log(`${agents} trivial inline agents @ ${concurrency}, ${rounds} rounds, order rotating`);
for (const name of names) await sides[name](); // a first round each, not counted
for (let round = 0; round < rounds; round++) {
  for (let at = 0; at < names.length; at++) {
    const name = names[(round + at) % names.length]!;
    times[name].push(await sides[name]());
  }
  console.log(
    `round ${round + 1}: ${names.map((name) => `${name} ${times[name].at(-1)!.toFixed(0)}`).join(', ')} ms`,
  );
}
const against = (name: keyof typeof sides) =>
  median(times['p-queue'].map((time, round) => time / times[name][round]!)).toFixed(2);
console.log(
  `throughput against p-queue (median of the rounds' ratios): floor ${against('floor')}, tsorchestrate ${against('tsorchestrate')}`,
);
