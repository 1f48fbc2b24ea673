import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import { type ConfigIssue, describeValue, type IssueSeverity, messageOf } from '../errors.ts';
import { isThenable } from '../thenable.ts';

const SEVERITIES: readonly IssueSeverity[] = ['warning', 'error', 'critical'];

/** Merges `defaults` along the class chain (base first, subclass wins), then the per-registration overrides. */
export function resolveConfig(AgentClass: AgentClass, overrides: object | undefined): AgentConfig {
  const config: AgentConfig = {};
  assignDefaults(config, AgentClass);
  return Object.assign(config, overrides);
}

/**
 * Assigns the `defaults` of `current`'s base classes, then its own: recursion instead of a list
 * of the chain spread into `Object.assign` (~0.35 KB per registration, of ~3 KB).
 */
function assignDefaults(config: AgentConfig, current: unknown): void {
  const parent = Object.getPrototypeOf(current);
  if (typeof parent === 'function') assignDefaults(config, parent);
  if (Object.hasOwn(current as object, 'defaults'))
    Object.assign(config, (current as { defaults: object }).defaults);
}

/** Whether `AgentClass` declares anything to check its config with: a schema or a `validate()`. */
export const validatesConfig = (AgentClass: AgentClass): boolean =>
  AgentClass.schema !== undefined || typeof AgentClass.validate === 'function';

/** No issues: shared, never changed. */
export const NO_ISSUES: readonly ConfigIssue[] = Object.freeze([]);

export interface ValidationResult {
  /** The config to run with: the schema's output when a schema is declared. */
  config: AgentConfig;
  issues: ConfigIssue[];
}

/**
 * Runs the class's Standard Schema and its `validate()`, collecting every issue from both. Returns
 * the result itself when nothing in it is asynchronous (no schema, or a schema that answers at
 * once), so that starting 100,000 agents does not cost 100,000 awaits.
 */
export function validateConfig(
  AgentClass: AgentClass,
  config: AgentConfig,
): ValidationResult | Promise<ValidationResult> {
  const schema = AgentClass.schema;
  if (schema === undefined) return withValidate(AgentClass, config, []);
  // The class's own declarations are input too: a schema that is not one, that throws or rejects,
  // or answers with something else, refuses the start with a critical issue (as validate() does).
  const standard = (schema as { '~standard'?: StandardSchemaV1['~standard'] } | null)?.['~standard'];
  if (typeof standard?.validate !== 'function') {
    return withValidate(AgentClass, config, [
      broken('static schema is not a Standard Schema (no ~standard.validate)', config),
    ]);
  }
  let result: unknown;
  try {
    result = standard.validate(config);
  } catch (error) {
    return withValidate(AgentClass, config, [broken(`the schema threw: ${messageOf(error)}`, config)]);
  }
  // A schema library may bring its own promises.
  return isThenable(result)
    ? Promise.resolve(result).then(
        (settled) => fromSchema(AgentClass, config, settled),
        (error: unknown) =>
          withValidate(AgentClass, config, [broken(`the schema rejected: ${messageOf(error)}`, config)]),
      )
    : fromSchema(AgentClass, config, result);
}

function fromSchema(AgentClass: AgentClass, config: AgentConfig, result: unknown): ValidationResult {
  const { issues: found } = (result ?? {}) as { issues?: unknown };
  const answered = typeof result === 'object' && result !== null;
  if (answered && found === undefined && 'value' in result) {
    return withValidate(AgentClass, (result as { value: AgentConfig }).value, []);
  }
  if (!answered || !Array.isArray(found)) {
    const given = describeValue(result);
    return withValidate(AgentClass, config, [
      broken(`the schema answered ${given}, not a Standard Schema result`, config),
    ]);
  }
  const issues: ConfigIssue[] = found.map((issue: unknown) => {
    const path = pathOf(issue);
    const message = (issue as { message?: unknown } | null)?.message;
    return {
      field: path.join('.'),
      message: message === undefined ? '(the schema gave no message)' : String(message),
      severity: 'error',
      value: valueAt(config, path),
    };
  });
  return withValidate(AgentClass, config, issues);
}

/** Adds the issues of the class's own `validate()`, run on `output`. */
function withValidate(AgentClass: AgentClass, output: AgentConfig, issues: ConfigIssue[]): ValidationResult {
  if (typeof AgentClass.validate === 'function') {
    try {
      const found: unknown = AgentClass.validate(output as never);
      if (
        found !== undefined &&
        found !== null &&
        typeof (found as Iterable<unknown>)[Symbol.iterator] !== 'function'
      ) {
        issues.push(broken(`validate() returned ${describeValue(found)}, not a list of issues`, output));
      } else {
        for (const issue of (found ?? []) as Iterable<unknown>) issues.push(normaliseIssue(issue, output));
      }
    } catch (error) {
      issues.push(broken(`validate() threw: ${messageOf(error)}`, output));
    }
  }
  return { config: output, issues };
}

/** A check the class declared that could not run as declared: never ignorable. */
const broken = (message: string, config: AgentConfig): ConfigIssue => ({
  field: '',
  message,
  severity: 'critical',
  value: config,
});

function normaliseIssue(given: unknown, config: AgentConfig): ConfigIssue {
  if (typeof given !== 'object' || given === null) {
    return broken(`validate() returned an issue that is not an object: ${describeValue(given)}`, config);
  }
  const issue = given as ConfigIssue;
  const severity = SEVERITIES.includes(issue.severity) ? issue.severity : 'error';
  const field = typeof issue.field === 'string' ? issue.field : '';
  const value = 'value' in issue ? issue.value : valueAt(config, field ? field.split('.') : []);
  const message = issue.message === undefined ? '(validate() gave no message)' : String(issue.message);
  return { field, message, severity, value };
}

function pathOf(issue: unknown): PropertyKey[] {
  const path = (issue as StandardSchemaV1.Issue | null)?.path;
  if (!Array.isArray(path)) return [];
  return path.map((segment: unknown) =>
    typeof segment === 'object' && segment !== null
      ? (segment as { key: PropertyKey }).key
      : (segment as PropertyKey),
  );
}

function valueAt(config: unknown, path: readonly PropertyKey[]): unknown {
  let current = config;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
