import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import type { ConfigIssue, IssueSeverity } from '../errors.ts';
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
  const result = schema['~standard'].validate(config);
  // A schema library may bring its own promises.
  return isThenable(result)
    ? Promise.resolve(result).then((settled) => fromSchema(AgentClass, config, settled))
    : fromSchema(AgentClass, config, result as StandardSchemaV1.Result<unknown>);
}

function fromSchema(
  AgentClass: AgentClass,
  config: AgentConfig,
  result: StandardSchemaV1.Result<unknown>,
): ValidationResult {
  if (!result.issues) return withValidate(AgentClass, result.value as AgentConfig, []);
  const issues: ConfigIssue[] = result.issues.map((issue) => {
    const path = pathOf(issue);
    return { field: path.join('.'), message: issue.message, severity: 'error', value: valueAt(config, path) };
  });
  return withValidate(AgentClass, config, issues);
}

/** Adds the issues of the class's own `validate()`, run on `output`. */
function withValidate(AgentClass: AgentClass, output: AgentConfig, issues: ConfigIssue[]): ValidationResult {
  if (typeof AgentClass.validate === 'function') {
    let found: unknown;
    try {
      found = AgentClass.validate(output as never);
    } catch (error) {
      found = [
        {
          field: '',
          message: `validate() threw: ${(error as Error)?.message ?? error}`,
          severity: 'critical',
        },
      ];
    }
    for (const issue of (found ?? []) as Iterable<ConfigIssue>) issues.push(normaliseIssue(issue, output));
  }
  return { config: output, issues };
}

function normaliseIssue(issue: ConfigIssue, config: AgentConfig): ConfigIssue {
  const severity = SEVERITIES.includes(issue.severity) ? issue.severity : 'error';
  const field = typeof issue.field === 'string' ? issue.field : '';
  const value = 'value' in issue ? issue.value : valueAt(config, field ? field.split('.') : []);
  return { field, message: String(issue.message), severity, value };
}

function pathOf(issue: StandardSchemaV1.Issue): PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
}

function valueAt(config: unknown, path: readonly PropertyKey[]): unknown {
  let current = config;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
