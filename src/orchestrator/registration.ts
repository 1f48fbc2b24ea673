import * as v from 'valibot';
import type { AgentClass } from '../agents/base-agent.ts';
import type { AgentPlugin } from '../agents/plugin.ts';
import { describeValue, InvalidOptionError } from '../errors.ts';
import {
  CONTROL_EVENT_NAMES,
  type ControlEvents,
  SharedEvent,
  STATE_EVENT_NAMES,
  type StateEvents,
} from '../events/shared-event.ts';
import { LOG_LEVELS, type LogLevel } from '../logging/logger.ts';
import { AGENT_MODES, type AgentMode, type PluginSpec } from '../protocol/messages.ts';
import type { ResourceLimits } from '../runtime/agent-runtime.ts';
import { resolveModuleRef } from '../runtime/loadability.ts';
import type { ReuseOptions } from '../runtime/warm-pool.ts';
import { DEPENDENCY_CONDITIONS, type Dependency, type DependencyCondition } from './dependency-graph.ts';
import { parseOptions } from './orchestrator-config.ts';
import { NO_RESTART, type RestartInput, type RestartPolicy, restartSchema } from './restart-policy.ts';

/** A dependency as given: an agent name (condition `ready`), or the name and its condition. */
export type DependencyInput = string | { agent: string; condition?: DependencyCondition };

/** Options of `registerAgent(Class, options)`. */
export interface AgentOptions<C extends object = object> {
  /** Unique name. Default: the class name. */
  name?: string;
  /** Where it runs: `inline` (main event loop), `thread` (worker thread) or `process` (child process). Default `inline`. */
  mode?: AgentMode;
  /** Overrides of the class's config defaults. */
  config?: Partial<C>;
  /** Plugins: initialised before `setup`, released after `onClose` in reverse order. */
  plugins?: AgentPlugin[];
  /** Gates: `setup`, `execute` (open unless given) and `stop`. Share one event between agents to release them together. */
  controlEvents?: Partial<ControlEvents>;
  /** `started`, `ready`, `closed`: set by the agent as it gets there. */
  stateEvents?: Partial<StateEvents>;
  /**
   * Agents that must reach a condition before this one starts: names (condition `ready`) or
   * `{ agent, condition }` with `started`, `ready` or `completed`. May name agents registered later.
   */
  dependsOn?: DependencyInput[];
  /**
   * Supervision: `'never'` (default), `'on-failure'` (failed, or killed from outside), `'always'`
   * (any ending but a requested stop), or a policy `{ when, maxRestarts, withinMs, backoffMs,
   * backoffFactor, backoffMaxMs, resetAfterMs, restartDependents }`.
   */
  restart?: RestartInput;
  /** Groups to add the agent to (see `addToGroup`). */
  groups?: string[];
  /**
   * Thread and process agents: run on a warm thread or process kept from earlier runs (much faster
   * for short agents). `true`, or `{ maxRuns, maxMemoryMb, idleTimeoutMs }`. Default false.
   */
  reuse?: boolean | Partial<ReuseOptions>;
  /** Higher runs first when agents wait for a slot. Default 0. */
  priority?: number;
  /** Start even when config validation finds `error` issues (never `critical` ones). Default false. */
  ignoreConfigErrors?: boolean;
  /** The agent's log level. Default: the orchestrator's. */
  logLevel?: LogLevel;
  /** Thread agents: V8 heap limits. */
  resourceLimits?: ResourceLimits;
}

/** How an agent was registered, beyond its name and config: what every run of it is launched with. */
export interface Registration {
  mode: AgentMode;
  plugins: readonly AgentPlugin[];
  pluginSpecs: readonly PluginSpec[];
  controlEvents: Readonly<Partial<ControlEvents>>;
  stateEvents: Readonly<Partial<StateEvents>>;
  dependsOn: readonly Dependency[];
  groups: readonly string[];
  restart: RestartPolicy;
  reuse: ReuseOptions | undefined;
  priority: number;
  ignoreConfigErrors: boolean;
  logLevel: LogLevel | undefined;
  resourceLimits: ResourceLimits | undefined;
  moduleRef: { moduleUrl: string; exportName: string } | undefined;
}

/** What `parseRegistration` found: the agent's name, its config overrides and its registration. */
export interface ParsedRegistration {
  name: string;
  config: Readonly<Record<string, unknown>>;
  registration: Registration;
}

const event = v.instance(SharedEvent, 'a SharedEvent');
const eventsOf = <K extends string>(keys: readonly K[]) =>
  v.strictObject(
    Object.fromEntries(keys.map((key) => [key, v.optional(event)])) as Record<
      K,
      v.OptionalSchema<typeof event, undefined>
    >,
    `only ${keys.join(', ')}`,
  );
const limitMb = v.optional(
  v.pipe(v.number('a positive number of MB'), v.finite(), v.gtValue(0, 'a positive number of MB')),
);

/** An agent's name: a non-empty string without "/" (a path's separator). */
const isAgentName = (name: unknown): name is string =>
  typeof name === 'string' && name.length > 0 && !name.includes('/');
const agentName = v.custom<string>(isAgentName, 'a non-empty string without "/"');

const conditions = DEPENDENCY_CONDITIONS.map((condition) => `"${condition}"`).join(', ');

/** One dependency, normalised to `{ agent, condition }`. */
export const dependencySchema = v.pipe(
  v.union(
    [
      v.string(),
      v.strictObject(
        {
          agent: v.string(),
          condition: v.optional(v.picklist(DEPENDENCY_CONDITIONS, `one of ${conditions}`), 'ready'),
        },
        'only agent, condition',
      ),
    ],
    `an agent name or { agent, condition } with condition one of ${conditions}`,
  ),
  v.transform(
    (input): Dependency =>
      typeof input === 'string'
        ? { agent: input, condition: 'ready' }
        : { agent: input.agent, condition: input.condition },
  ),
  v.check(
    (dependency) => dependency.agent.length > 0 && !dependency.agent.includes('/'),
    'an agent name: a non-empty string without "/"',
  ),
);

export const dependenciesSchema = v.array(
  dependencySchema,
  'an array of agent names or { agent, condition }',
);

const reuseOptionsSchema = v.strictObject(
  {
    maxRuns: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 100),
    maxMemoryMb: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 512),
    idleTimeoutMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 5000),
  },
  'only maxRuns, maxMemoryMb, idleTimeoutMs',
);

const schema = v.strictObject(
  {
    name: v.optional(agentName),
    mode: v.optional(v.picklist(AGENT_MODES, `one of ${AGENT_MODES.map((mode) => `"${mode}"`).join(', ')}`)),
    config: v.optional(v.custom<object>((value) => isPlainObject(value), 'a plain object')),
    plugins: v.optional(
      v.array(
        v.custom<AgentPlugin>((value) => typeof value === 'object' && value !== null, 'a plugin object'),
        'an array of plugins',
      ),
    ),
    controlEvents: v.optional(eventsOf(CONTROL_EVENT_NAMES)),
    stateEvents: v.optional(eventsOf(STATE_EVENT_NAMES)),
    dependsOn: v.optional(dependenciesSchema),
    restart: restartSchema,
    reuse: v.optional(
      v.pipe(
        v.union(
          [v.boolean(), reuseOptionsSchema],
          'true, false or { maxRuns (integer >= 1), maxMemoryMb (> 0), idleTimeoutMs (>= 0) }',
        ),
        // `true` is the options' defaults, from the one schema that holds them.
        v.transform((input) => (input === true ? v.parse(reuseOptionsSchema, {}) : input || undefined)),
      ),
    ),
    groups: v.optional(
      v.array(
        v.pipe(v.string('a non-empty string'), v.nonEmpty('a non-empty string')),
        'an array of group names',
      ),
    ),
    priority: v.optional(v.pipe(v.number('a finite number'), v.finite('a finite number'))),
    ignoreConfigErrors: v.optional(v.boolean('true or false')),
    logLevel: v.optional(v.picklist(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`)),
    resourceLimits: v.optional(
      v.strictObject(
        { maxOldGenerationSizeMb: limitMb, maxYoungGenerationSizeMb: limitMb, stackSizeMb: limitMb },
        'only maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb',
      ),
    ),
  },
  () =>
    'no option of that name (known: name, mode, config, plugins, controlEvents, stateEvents, dependsOn, restart, reuse, groups, priority, ignoreConfigErrors, logLevel, resourceLimits)',
);

/**
 * Options with nothing but a name and a config, the commonest by far (a batch of 100,000 small
 * agents registers each this way): checked by those two fields' own predicates (the very ones
 * the schema runs), and registered with the one shared `PLAIN_INLINE`, where the whole schema
 * looked up fourteen options and a registration of sixteen fields was kept per agent. Options
 * they refuse go the whole schema's way, which refuses them with its message.
 */
function isPlain(options: object): options is { name?: string; config?: object } {
  for (const key in options) if (key !== 'name' && key !== 'config') return false;
  const { name, config } = options as { name?: unknown; config?: unknown };
  return (name === undefined || isAgentName(name)) && (config === undefined || isPlainObject(config));
}

/** Validates registration options and checks the class can be loaded in its mode. */
export function parseRegistration(AgentClass: AgentClass, options: unknown): ParsedRegistration {
  if (typeof AgentClass !== 'function' || typeof AgentClass.prototype?.run !== 'function') {
    throw new InvalidOptionError('AgentClass', AgentClass, 'a class extending BaseAgent');
  }
  const input = options ?? {};
  if (isPlainObject(input) && isPlain(input)) {
    return {
      name: nameOf(AgentClass, input.name),
      config: (input.config ?? NOTHING) as Readonly<Record<string, unknown>>,
      registration: PLAIN_INLINE,
    };
  }
  const parsed = parseOptions(schema, input, 'options');
  const name = nameOf(AgentClass, parsed.name);
  const dependsOn = orNone(parsed.dependsOn);
  const self = dependsOn.findIndex((dependency) => dependency.agent === name);
  if (self >= 0) {
    throw new InvalidOptionError(
      `options.dependsOn.${self}`,
      name,
      `an agent other than "${name}" itself (an agent cannot depend on itself)`,
    );
  }
  const mode = parsed.mode ?? 'inline';
  if (parsed.resourceLimits && mode === 'inline') {
    throw new InvalidOptionError(
      'options.resourceLimits',
      parsed.resourceLimits,
      'resourceLimits only with mode "thread" or "process" (an inline agent shares the host heap)',
    );
  }
  if (parsed.reuse && mode === 'inline') {
    throw new InvalidOptionError(
      'options.reuse',
      (options as { reuse?: unknown }).reuse,
      'reuse only with mode "thread" or "process" (an inline agent has no thread or process to reuse)',
    );
  }
  if (mode === 'process') {
    for (const field of ['maxYoungGenerationSizeMb', 'stackSizeMb'] as const) {
      if (parsed.resourceLimits?.[field] !== undefined) {
        throw new InvalidOptionError(
          `options.resourceLimits.${field}`,
          parsed.resourceLimits[field],
          'only maxOldGenerationSizeMb for a process agent (the others are thread limits)',
        );
      }
    }
  }
  return {
    name,
    config: (parsed.config ?? NOTHING) as Readonly<Record<string, unknown>>,
    registration: registrationOf(parsed, AgentClass),
  };
}

/**
 * The registration that parsed options stand for, each option left out at its default. `AgentClass`
 * is looked at only for a thread or process agent (where its module is resolved).
 */
function registrationOf(parsed: v.InferOutput<typeof schema>, AgentClass?: AgentClass): Registration {
  const mode = parsed.mode ?? 'inline';
  const remote = mode !== 'inline';
  const plugins = orNone(parsed.plugins);
  return {
    mode,
    plugins,
    pluginSpecs:
      remote && plugins.length > 0 ? plugins.map((plugin, index) => pluginSpec(plugin, index, mode)) : NONE,
    controlEvents: parsed.controlEvents ?? NOTHING,
    stateEvents: parsed.stateEvents ?? NOTHING,
    dependsOn: orNone(parsed.dependsOn),
    groups: orNone(parsed.groups),
    restart: parsed.restart ?? NO_RESTART,
    reuse: parsed.reuse,
    priority: parsed.priority ?? 0,
    ignoreConfigErrors: parsed.ignoreConfigErrors ?? false,
    logLevel: parsed.logLevel,
    resourceLimits: parsed.resourceLimits,
    moduleRef: remote ? resolveModuleRef(AgentClass!, mode, 'agent') : undefined,
  };
}

/** The name given, or the class's; an anonymous class needs one given. */
function nameOf(AgentClass: AgentClass, given: string | undefined): string {
  const name = given ?? AgentClass.name;
  if (!name)
    throw new InvalidOptionError(
      'options.name',
      name,
      'a name: the class is anonymous, so pass options.name',
    );
  return name;
}

/**
 * What an agent registered without plugins, dependencies, groups, events or config holds: one
 * frozen empty array and one frozen empty object, shared, instead of five empty objects and arrays
 * of its own (100,000 agents kept ~45 MB of them).
 */
const NONE: readonly never[] = Object.freeze([]);
const NOTHING = Object.freeze({});
const orNone = <T>(items: T[] | undefined): readonly T[] => (items && items.length > 0 ? items : NONE);

/** An inline agent registered with every option but its name and config left to its default. */
const PLAIN_INLINE: Registration = Object.freeze(registrationOf({}));

function pluginSpec(plugin: AgentPlugin, index: number, mode: AgentMode): PluginSpec {
  const ref = resolveModuleRef(plugin.constructor as { name: string; module?: unknown }, mode, 'plugin');
  try {
    return { ...ref, fields: structuredClone({ ...plugin }) };
  } catch (error) {
    throw new InvalidOptionError(
      `options.plugins[${index}]`,
      plugin,
      `a plugin whose fields can be structured-cloned to a ${mode} (${(error as Error).message})`,
    );
  }
}

/** Throws naming the first field of `config` that cannot be sent to a thread or process. */
export function assertCloneable(agent: string, config: Record<string, unknown>, mode: AgentMode): void {
  for (const [field, value] of Object.entries(config)) {
    try {
      structuredClone(value);
    } catch (error) {
      throw new InvalidOptionError(
        `${agent}.config.${field}`,
        describeValue(value),
        `a value that can be structured-cloned to a ${mode} agent (${(error as Error).message})`,
      );
    }
  }
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
