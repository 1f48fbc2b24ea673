/**
 * Supervision: when an agent that ended is started again by itself. The policy says on which
 * endings (`on-failure`: failed or killed from outside; `always`: any ending but a requested
 * stop), how often (at most `maxRestarts` within `withinMs`, like Erlang/OTP's intensity and
 * period), and how soon (exponential backoff with a cap, back to the first delay once a run has
 * stayed up `resetAfterMs`).
 */
import * as v from 'valibot';
import type { TerminationReason } from '../events/event-map.ts';
import { FrontQueue } from '../front-queue.ts';

export type RestartWhen = 'never' | 'on-failure' | 'always';

export interface RestartPolicy {
  when: RestartWhen;
  /** Give up (the agent stays failed, `AGENT_RESTART_LIMIT`) after this many restarts within `withinMs`. Default 5. */
  maxRestarts: number;
  /** The window `maxRestarts` is counted in, ms. Default 60,000. */
  withinMs: number;
  /** First delay before a restart, ms (0: at once). Default 100. */
  backoffMs: number;
  /** Each consecutive restart waits `factor` times longer... Default 2. */
  backoffFactor: number;
  /** ...up to this, ms. Default 30,000. */
  backoffMaxMs: number;
  /** A run that stayed up this long resets the backoff and the window, ms. Default 30,000. */
  resetAfterMs: number;
  /** Also restart the agents that depend on this one, directly or not (rest-for-one). Default false. */
  restartDependents: boolean;
}

/** `restart` as given at registration: a `when`, or a policy with any fields left to defaults. */
export type RestartInput = RestartWhen | (Partial<RestartPolicy> & { when: RestartWhen });

const DEFAULTS: Omit<RestartPolicy, 'when'> = {
  maxRestarts: 5,
  withinMs: 60_000,
  backoffMs: 100,
  backoffFactor: 2,
  backoffMaxMs: 30_000,
  resetAfterMs: 30_000,
  restartDependents: false,
};

const WHEN = ['never', 'on-failure', 'always'] as const;
/** The policy of a bare `when`: one frozen object each, shared by every agent given it (most are 'never'). */
const POLICY_OF = Object.fromEntries(
  WHEN.map((when) => [when, Object.freeze({ ...DEFAULTS, when })]),
) as Record<RestartWhen, RestartPolicy>;
const whenSchema = v.picklist(WHEN, '"never", "on-failure" or "always"');
const ms = (what: string) => v.optional(v.pipe(v.number(what), v.finite(what), v.minValue(0, what)));

/** The policy of an agent registered without `restart`. */
export const NO_RESTART: RestartPolicy = POLICY_OF.never;

/** `restart` as given, completed to a policy; `undefined` when absent (the caller's default is `NO_RESTART`). */
export const restartSchema = v.optional(
  v.pipe(
    v.union(
      [
        whenSchema,
        v.strictObject(
          {
            when: whenSchema,
            maxRestarts: v.optional(
              v.pipe(
                v.number('an integer >= 0'),
                v.integer('an integer >= 0'),
                v.minValue(0, 'an integer >= 0'),
              ),
            ),
            withinMs: ms('a number of ms >= 0'),
            backoffMs: ms('a number of ms >= 0'),
            backoffFactor: v.optional(
              v.pipe(v.number('a number >= 1'), v.finite('a number >= 1'), v.minValue(1, 'a number >= 1')),
            ),
            backoffMaxMs: ms('a number of ms >= 0'),
            resetAfterMs: ms('a number of ms >= 0'),
            restartDependents: v.optional(v.boolean('true or false')),
          },
          'only when, maxRestarts, withinMs, backoffMs, backoffFactor, backoffMaxMs, resetAfterMs, restartDependents',
        ),
      ],
      '"never", "on-failure", "always" or { when, maxRestarts, withinMs, backoffMs, ... }',
    ),
    v.transform(
      (input): RestartPolicy =>
        typeof input === 'string' ? POLICY_OF[input] : { ...DEFAULTS, ...stripUndefined(input) },
    ),
  ),
);

function stripUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

/** One agent's restart bookkeeping. */
export class RestartTracker {
  readonly policy: RestartPolicy;
  /**
   * When automatic restarts happened (`performance.now()`, so in order); those out of the window
   * are passed at the front, not filtered out of the whole list at every restart (O(maxRestarts)
   * each: ~0.3 ms a restart at the end of the soak's 20,000). Made at the first restart.
   */
  #times: FrontQueue<number> | undefined;
  /** Restarts since the last stable run: the backoff exponent. */
  #consecutive = 0;

  constructor(policy: RestartPolicy) {
    this.policy = policy;
  }

  /**
   * The run ended after `uptimeMs` for `reason`, not because a stop was requested. Returns the delay
   * before restarting it, `'limit'` when the limit is reached, or `undefined` when the policy does
   * not restart on this ending.
   */
  decide(reason: TerminationReason, uptimeMs: number): number | 'limit' | undefined {
    const { when, maxRestarts, withinMs, resetAfterMs } = this.policy;
    if (when === 'never' || reason === 'stopped') return undefined;
    if (when === 'on-failure' && reason === 'completed') return undefined;
    const now = performance.now();
    if (uptimeMs >= resetAfterMs) {
      this.#consecutive = 0;
      this.#times = undefined;
    }
    this.#times ??= new FrontQueue();
    this.#times.passWhile((at) => now - at >= withinMs);
    if (this.#times.size >= maxRestarts) return 'limit';
    this.#times.push(now);
    const { backoffMs, backoffFactor, backoffMaxMs } = this.policy;
    // Stop growing once the cap is reached (and never compute 0 * Infinity after many restarts).
    const grown = backoffMs * backoffFactor ** this.#consecutive;
    const delay = backoffMs === 0 ? 0 : Math.min(backoffMaxMs, grown);
    if (grown < backoffMaxMs) this.#consecutive++;
    return delay;
  }

  /** How many restarts count against the limit right now. */
  get recent(): number {
    return this.#times?.size ?? 0;
  }
}

/** The tracker of an agent that is never restarted (the default): one for all, as it keeps no bookkeeping. */
const NEVER_RESTARTED = new RestartTracker(NO_RESTART);

/** A new agent's restart bookkeeping under `policy`. */
export const restartTracker = (policy: RestartPolicy): RestartTracker =>
  policy === NO_RESTART ? NEVER_RESTARTED : new RestartTracker(policy);
