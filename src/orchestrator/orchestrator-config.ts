import * as v from 'valibot';
import { InvalidOptionError } from '../errors.ts';
import type { EventStoreOptions } from '../history/event-store.ts';
import { defaultLogLevel, LOG_LEVELS, type LogLevel, type LogSink } from '../logging/logger.ts';

export type RunMode = 'batch' | 'daemon';

/** Options of `new Orchestrator(config)`. Every field is optional. */
export interface OrchestratorConfig {
  /** Name used in logs, events and agent paths. Default `"orchestrator"`. */
  name?: string;
  /** Most agents running at once (every mode counts). Positive integer or `Infinity`. Default `Infinity`. */
  maxWorkers?: number;
  /** How often liveness is checked, ms. Termination itself is noticed at once, never polled. Default 1000. */
  checkInterval?: number;
  /** How long a graceful stop may take before it is forced, ms. Default 5000. */
  stopTimeout?: number;
  /** Process agents: time between SIGTERM and SIGKILL when a stop is forced, ms. Default 2000. */
  killTimeout?: number;
  /** `batch`: done when nothing runs or waits. `daemon`: stays up until `shutdown()`. Default `batch`. */
  runMode?: RunMode;
  /** Log level of the orchestrator and (unless overridden) its agents. Default `TSORCHESTRATE_LOG_LEVEL` or `info`. */
  logLevel?: LogLevel;
  /** Where log lines go (agents' lines included). Default stderr. */
  logDestination?: LogSink;
  /** Shut down gracefully on SIGINT / SIGTERM while agents run. Default true. */
  handleSignals?: boolean;
  /** An agent that sent heartbeats and then none for this many `checkInterval`s is reported unresponsive. Default 3. */
  unresponsiveAfter?: number;
  /**
   * The orchestrator-wide event history: `capacity` (default 10,000 events), per-event `retention`
   * rules (e.g. `{ 'agent:heartbeat': { perAgent: 2 } }`), and `file`: a SQLite file every event is
   * also written to, so the history survives a crash (read it with `Orchestrator.readHistory`).
   */
  history?: EventStoreOptions & { file?: string };
  /** Entries kept in each agent's history (`getAgentStats`); the oldest go first. Default 1000. */
  historySize?: number;
}

export type ResolvedOrchestratorConfig = Required<OrchestratorConfig>;

/** A positive integer, or Infinity for no limit. */
export const isMaxWorkers = (value: unknown): boolean =>
  value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && (value as number) >= 1);

/** Schema of `maxWorkers`, for the constructor and the run-time setter alike. */
export const maxWorkersSchema = v.custom<number>(isMaxWorkers, 'a positive integer or Infinity');

const positiveMs = (what: string) => v.pipe(v.number(what), v.finite(what), v.minValue(0, what));

const schema = v.strictObject(
  {
    name: v.optional(
      v.pipe(v.string('a non-empty string'), v.nonEmpty('a non-empty string')),
      'orchestrator',
    ),
    maxWorkers: v.optional(maxWorkersSchema, Number.POSITIVE_INFINITY),
    checkInterval: v.optional(
      v.pipe(
        v.number('a positive number of ms'),
        v.finite('a positive number of ms'),
        v.gtValue(0, 'a positive number of ms'),
      ),
      1000,
    ),
    stopTimeout: v.optional(positiveMs('a number of ms >= 0'), 5000),
    killTimeout: v.optional(positiveMs('a number of ms >= 0'), 2000),
    runMode: v.optional(v.picklist(['batch', 'daemon'], '"batch" or "daemon"'), 'batch'),
    logLevel: v.optional(v.picklist(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`), defaultLogLevel),
    logDestination: v.optional(
      v.custom<LogSink>(
        (value) => typeof (value as LogSink | null)?.write === 'function',
        'an object with write(line)',
      ),
      () => process.stderr,
    ),
    handleSignals: v.optional(v.boolean('true or false'), true),
    unresponsiveAfter: v.optional(
      v.pipe(v.number('a positive number'), v.finite('a positive number'), v.gtValue(0, 'a positive number')),
      3,
    ),
    history: v.optional(
      v.pipe(
        v.custom<EventStoreOptions & { file?: string }>(
          (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
          'an object { capacity, retention, file }',
        ),
        v.check(
          ({ file }) => file === undefined || (typeof file === 'string' && file.length > 0),
          'a non-empty file path',
        ),
      ),
      {},
    ),
    historySize: v.optional(
      v.pipe(
        v.number('a positive integer'),
        v.integer('a positive integer'),
        v.minValue(1, 'a positive integer'),
      ),
      1000,
    ),
  },
  () =>
    'no option of that name (known: name, maxWorkers, checkInterval, stopTimeout, killTimeout, runMode, logLevel, logDestination, handleSignals, unresponsiveAfter, history, historySize)',
);

/** Validates and completes the orchestrator's config; throws `InvalidOptionError` naming the field and value. */
export function resolveOrchestratorConfig(config: unknown): ResolvedOrchestratorConfig {
  return parseOptions(schema, config ?? {}, '') as ResolvedOrchestratorConfig;
}

/** Parses with a valibot schema whose messages say what is allowed; the first issue becomes the error. */
export function parseOptions<T extends v.GenericSchema>(
  schema: T,
  input: unknown,
  prefix: string,
): v.InferOutput<T> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = innermost(result.issues[0]);
  const path = v.getDotPath(issue);
  const field = [prefix, path].filter(Boolean).join('.') || prefix || 'config';
  // An unknown key's issue carries the key as its input; report the value given for it.
  const last = issue.path?.at(-1);
  const value = issue.type === 'strict_object' && last ? last.value : issue.input;
  // A required key left out: the object's own message lists its keys, which does not say that.
  const required =
    (issue.type === 'strict_object' || issue.type === 'object') && issue.expected !== 'never' && last;
  throw new InvalidOptionError(field, value, required ? 'a value (it is required)' : issue.message);
}

/**
 * A union's issue says only that no branch matched. When a branch got further into the input (an
 * object with one bad field), that branch's deepest issue says more. Inner paths are relative to
 * the union, so they are joined onto its path.
 */
function innermost(issue: v.BaseIssue<unknown>): v.BaseIssue<unknown> {
  const depth = (found: v.BaseIssue<unknown>) => found.path?.length ?? 0;
  let best = issue;
  for (const inner of issue.type === 'union' ? (issue.issues ?? []) : []) {
    const candidate = innermost(inner);
    if (depth(candidate) > 0) {
      const path = [...(issue.path ?? []), ...(candidate.path ?? [])] as typeof issue.path;
      if ((path?.length ?? 0) > depth(best)) best = { ...candidate, path };
    }
  }
  return best;
}
