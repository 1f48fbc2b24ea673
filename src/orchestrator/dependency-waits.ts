/**
 * Agents waiting for their dependencies. An agent that enters `waiting` is checked against each
 * dependency's condition; unmet ones are kept on the agent's record, and every time a dependency
 * makes progress (started, ready, or ended) its waiting dependents are re-checked. Nothing polls:
 * progress drives it all.
 */
import type { AgentRecord } from './agent-record.ts';
import { isTerminal } from './agent-state.ts';
import type { DependencyCondition, DependencyGraph } from './dependency-graph.ts';

/** What admitting or re-checking an agent found. */
export type Verdict = { kind: 'met' } | { kind: 'waiting' } | { kind: 'blocked'; reason: string };

const LEVEL: Record<DependencyCondition, number> = { started: 0, ready: 1, completed: 2 };
// The verdicts without data: one object each, never changed.
const MET: Verdict = Object.freeze({ kind: 'met' });
const WAITING: Verdict = Object.freeze({ kind: 'waiting' });

/** The furthest milestone an agent reached in its current (or last) run. */
export function reached(record: AgentRecord): number {
  return record.reached === undefined ? -1 : LEVEL[record.reached];
}

/** Records that `record` reached `milestone`, never going back within one run. */
export function reach(record: AgentRecord, milestone: DependencyCondition): boolean {
  if (reached(record) >= LEVEL[milestone]) return false;
  record.reached = milestone;
  return true;
}

function check(dependency: AgentRecord | undefined, name: string, condition: DependencyCondition): Verdict {
  if (!dependency) return { kind: 'blocked', reason: `dependency "${name}" is not registered` };
  const { status } = dependency;
  if (isTerminal(status) && status !== 'completed') {
    if (dependency.restarting) return WAITING;
    const how = status === 'failed' ? 'failed' : `was ${status}`;
    return { kind: 'blocked', reason: `dependency "${name}" ${how} before it was ${condition}` };
  }
  return reached(dependency) >= LEVEL[condition] ? MET : WAITING;
}

/**
 * Checks a waiting agent's dependencies. `met`: it may take a slot now. `waiting`: the unmet ones
 * are kept in `record.unmet`. `blocked`: a dependency ended without meeting its condition.
 */
export function admit(
  record: AgentRecord,
  graph: DependencyGraph,
  lookup: (name: string) => AgentRecord | undefined,
): Verdict {
  // No dependency declared at all (the usual batch): no look-up by name, no iterator.
  if (graph.edgeCount === 0) {
    record.unmet = undefined;
    return MET;
  }
  let unmet: Map<string, DependencyCondition> | undefined;
  for (const [agent, condition] of graph.conditionsOf(record.name)) {
    const verdict = check(lookup(agent), agent, condition);
    if (verdict.kind === 'blocked') return verdict;
    if (verdict.kind !== 'waiting') continue;
    unmet ??= new Map();
    unmet.set(agent, condition);
  }
  record.unmet = unmet;
  return unmet ? WAITING : MET;
}

/**
 * `dependency` made progress: re-checks each dependent still waiting on it. Returns those whose
 * last condition is now met, and those that can never start, with the reason.
 */
export function progress(
  dependency: AgentRecord,
  graph: DependencyGraph,
  lookup: (name: string) => AgentRecord | undefined,
): { released: AgentRecord[]; blocked: [AgentRecord, string][] } {
  const released: AgentRecord[] = [];
  const blocked: [AgentRecord, string][] = [];
  for (const name of graph.dependentsOf(dependency.name)) {
    const dependent = lookup(name);
    const condition = dependent?.unmet?.get(dependency.name);
    if (!dependent || condition === undefined || dependent.status !== 'waiting') continue;
    const verdict = check(dependency, dependency.name, condition);
    if (verdict.kind === 'blocked') {
      dependent.unmet = undefined;
      blocked.push([dependent, verdict.reason]);
    } else if (verdict.kind === 'met') {
      dependent.unmet!.delete(dependency.name);
      if (dependent.unmet!.size === 0) {
        dependent.unmet = undefined;
        released.push(dependent);
      }
    }
  }
  return { released, blocked };
}
