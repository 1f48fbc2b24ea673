/**
 * Every error tsorchestrate raises is an `OrchestratorError` with a stable `code`.
 * Errors cross thread and process boundaries as `SerializedError` and are rebuilt
 * as the same class, with the original stack.
 */

export type ErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_DUPLICATE_AGENT'
  | 'ERR_UNKNOWN_AGENT'
  | 'ERR_INVALID_DEPENDENCIES'
  | 'ERR_UNKNOWN_GROUP'
  | 'ERR_ESCALATED'
  | 'ERR_AGENT_NOT_LOADABLE'
  | 'ERR_AGENT_STATE'
  | 'ERR_AGENT_EXIT'
  | 'ERR_AGENT_KILLED'
  | 'ERR_AGENT_OUT_OF_MEMORY'
  | 'ERR_AGENT_UNRESPONSIVE'
  | 'ERR_AGENT_CRASHED'
  | 'ERR_UNHANDLED_REJECTION'
  | 'ERR_NOT_SERIALIZABLE'
  | 'ERR_SHUT_DOWN';

export class OrchestratorError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** A value given to an option is not allowed. Names the option, the value and what is allowed. */
export class InvalidOptionError extends OrchestratorError {
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, allowed: string) {
    super(
      'ERR_INVALID_OPTION',
      `Invalid option "${option}": received ${describeValue(value)}; expected ${allowed}.`,
    );
    this.option = option;
    this.value = value;
  }
}

export type IssueSeverity = 'warning' | 'error' | 'critical';

/** One problem found while validating an agent's config. */
export interface ConfigIssue {
  /** Dotted path of the field, `''` for the config as a whole. */
  field: string;
  message: string;
  severity: IssueSeverity;
  /** The value found at `field`. */
  value?: unknown;
}

/** An agent's config was refused. `issues` lists every problem found, not just the first. */
export class ConfigError extends OrchestratorError {
  readonly agent: string;
  readonly issues: ConfigIssue[];

  constructor(agent: string, issues: ConfigIssue[]) {
    const lines = issues.map(
      (issue) =>
        `  - [${issue.severity}] ${issue.field || '(config)'}: ${issue.message} (received ${describeValue(issue.value)})`,
    );
    super('ERR_INVALID_CONFIG', `Invalid config for agent "${agent}":\n${lines.join('\n')}`);
    this.agent = agent;
    this.issues = issues;
  }
}

/** A dependency that names no registered agent: `agent` depends on the unknown `dependsOn`. */
export interface MissingDependency {
  agent: string;
  dependsOn: string;
}

/**
 * The dependency graph cannot be run: every missing agent and every cycle is listed, each cycle as
 * a path in depends-on direction that ends where it starts (`['a', 'b', 'c', 'a']`).
 */
export class DependencyError extends OrchestratorError {
  readonly missing: MissingDependency[];
  readonly cycles: string[][];

  constructor(missing: MissingDependency[], cycles: string[][]) {
    const lines = [
      ...missing.map(
        ({ agent, dependsOn }) =>
          `  - "${agent}" depends on ${JSON.stringify(dependsOn)}, which is not registered`,
      ),
      ...cycles.map((cycle) => `  - cycle: ${cycle.join(' -> ')}`),
    ];
    super('ERR_INVALID_DEPENDENCIES', `Invalid agent dependencies:\n${lines.join('\n')}`);
    this.missing = missing;
    this.cycles = cycles;
  }
}

/** An agent class cannot run in the mode it was registered with. */
export class AgentLoadError extends OrchestratorError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_AGENT_NOT_LOADABLE', message, options);
  }
}

/** A thread or process agent exited, or an inline agent called `process.exit`. */
export class AgentExitError extends OrchestratorError {
  readonly exitCode: number;

  constructor(agent: string, exitCode: number) {
    super('ERR_AGENT_EXIT', `Agent "${agent}" exited with code ${exitCode} before it finished.`);
    this.exitCode = exitCode;
  }
}

/** An agent was killed: forced stop, or a signal from outside. */
export class AgentKilledError extends OrchestratorError {
  readonly signal: string | null;

  constructor(agent: string, signal: string | null) {
    super('ERR_AGENT_KILLED', `Agent "${agent}" was killed${signal ? ` by ${signal}` : ''}.`);
    this.signal = signal;
  }
}

/** A process agent ran out of its heap (`resourceLimits.maxOldGenerationSizeMb`). */
export class AgentOutOfMemoryError extends OrchestratorError {
  readonly limitMb: number;

  constructor(agent: string, limitMb: number) {
    super('ERR_AGENT_OUT_OF_MEMORY', `Agent "${agent}" ran out of memory (heap limit ${limitMb} MB).`);
    this.limitMb = limitMb;
  }
}

/** An agent went silent (no heartbeat) and was killed so that its restart policy could act. */
export class AgentUnresponsiveError extends OrchestratorError {
  readonly silentMs: number;

  constructor(agent: string, silentMs: number) {
    super(
      'ERR_AGENT_UNRESPONSIVE',
      `Agent "${agent}" sent no heartbeat for ${Math.round(silentMs)} ms and was killed to be restarted.`,
    );
    this.silentMs = silentMs;
  }
}

/** A promise rejected inside an agent and nobody handled it. */
export class UnhandledRejectionError extends OrchestratorError {
  constructor(agent: string, reason: unknown) {
    super(
      'ERR_UNHANDLED_REJECTION',
      `Unhandled promise rejection in agent "${agent}": ${messageOf(reason)}`,
      {
        cause: reason,
      },
    );
  }
}

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code?: string | number;
  cause?: SerializedError;
  /** Own enumerable properties that survived structured cloning (e.g. `issues`, `exitCode`). */
  props?: Record<string, unknown>;
}

const KNOWN_CLASSES: Record<string, new (...args: never[]) => Error> = {
  OrchestratorError,
  InvalidOptionError,
  ConfigError,
  DependencyError,
  AgentLoadError,
  AgentExitError,
  AgentKilledError,
  AgentOutOfMemoryError,
  AgentUnresponsiveError,
  UnhandledRejectionError,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return {
      name: 'Error',
      message: messageOf(error),
      stack: undefined,
      props: { thrown: cloneable(error) },
    };
  }
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.cause !== undefined && depth < 5) out.cause = serializeError(error.cause, depth + 1);
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || key === 'code') continue;
    props[key] = cloneable(value);
  }
  if (Object.keys(props).length > 0) out.props = props;
  return out;
}

/** Rebuilds an error sent by `serializeError`: same class where known, same name, message and stack. */
export function deserializeError(data: SerializedError): Error {
  const Known = KNOWN_CLASSES[data.name];
  const error: Error = Object.create((Known ?? Error).prototype);
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true });
  if (!Known) Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  if (data.code !== undefined) Object.assign(error, { code: data.code });
  if (data.props) Object.assign(error, data.props);
  if (data.cause)
    Object.defineProperty(error, 'cause', { value: deserializeError(data.cause), configurable: true });
  return error;
}

export function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return describeValue(value);
}

/** A short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 76)}..."` : json;
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return describeValue(value);
  }
}
