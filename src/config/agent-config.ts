import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AgentClass, AgentConfig } from '../agents/base-agent.ts';
import type { ConfigIssue, IssueSeverity } from '../errors.ts';

const SEVERITIES: readonly IssueSeverity[] = ['warning', 'error', 'critical'];

/** Merges `defaults` along the class chain (base first, subclass wins), then the per-registration overrides. */
export function resolveConfig(AgentClass: AgentClass, overrides: object | undefined): AgentConfig {
  const chain: object[] = [];
  for (
    let current: unknown = AgentClass;
    typeof current === 'function';
    current = Object.getPrototypeOf(current)
  ) {
    if (Object.hasOwn(current, 'defaults'))
      chain.unshift((current as unknown as { defaults: object }).defaults);
  }
  return Object.assign({}, ...chain, overrides) as AgentConfig;
}

export interface ValidationResult {
  /** The config to run with: the schema's output when a schema is declared. */
  config: AgentConfig;
  issues: ConfigIssue[];
}

/** Runs the class's Standard Schema and its `validate()`, collecting every issue from both. */
export async function validateConfig(AgentClass: AgentClass, config: AgentConfig): Promise<ValidationResult> {
  const issues: ConfigIssue[] = [];
  let output = config;
  const schema = AgentClass.schema;
  if (schema !== undefined) {
    const result = await schema['~standard'].validate(config);
    if (result.issues) {
      for (const issue of result.issues) {
        const path = pathOf(issue);
        issues.push({
          field: path.join('.'),
          message: issue.message,
          severity: 'error',
          value: valueAt(config, path),
        });
      }
    } else {
      output = result.value as AgentConfig;
    }
  }
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
