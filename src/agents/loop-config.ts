import type { ConfigIssue } from '../errors.ts';

/**
 * The checks behind `LoopingAgent.validate` and `PeriodicAgent.validate`: the built-in loops'
 * config fields, refused before the agent starts (a `limit` of -2 or an `interval` of "1000"
 * would otherwise run for ever, or as fast as the loop can go). A subclass that declares its own
 * `validate` keeps these by calling `LoopingAgent.validate(config)` or `PeriodicAgent.validate(config)`.
 */
export function limitIssues(limit: unknown): ConfigIssue[] {
  const valid = limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && (limit as number) >= -1);
  return valid
    ? []
    : [
        {
          field: 'limit',
          message: 'must be an integer >= -1 (-1: until stopped)',
          severity: 'error',
          value: limit,
        },
      ];
}

export function intervalIssues(interval: unknown): ConfigIssue[] {
  const valid = typeof interval === 'number' && interval >= 0 && interval !== Number.POSITIVE_INFINITY;
  return valid
    ? []
    : [{ field: 'interval', message: 'must be a number of ms >= 0', severity: 'error', value: interval }];
}

export function flagIssues(field: string, value: unknown): ConfigIssue[] {
  return typeof value === 'boolean'
    ? []
    : [{ field, message: 'must be true or false', severity: 'error', value }];
}
