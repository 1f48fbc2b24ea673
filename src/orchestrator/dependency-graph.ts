import { DependencyError, type MissingDependency } from '../errors.ts';

/** When a dependency counts as met: its agent has started, is ready (set up), or has completed. */
export type DependencyCondition = 'started' | 'ready' | 'completed';

export const DEPENDENCY_CONDITIONS = ['started', 'ready', 'completed'] as const;

/** One edge: the agent named `agent` must reach `condition` first. */
export interface Dependency {
  agent: string;
  condition: DependencyCondition;
}

/**
 * Who depends on whom, and on what condition. `order()` checks the whole graph and returns a
 * dependencies-first order in time linear in agents + edges (Tarjan's strongly connected
 * components, iterative, over a compact adjacency array): every missing agent and every cycle is
 * reported at once.
 */
export class DependencyGraph {
  /** agent -> its dependencies (name -> condition), in declaration order. */
  readonly #dependencies = new Map<string, Map<string, DependencyCondition>>();
  /** dependency -> the agents that depend on it. */
  readonly #dependents = new Map<string, Set<string>>();
  #edges = 0;

  get edgeCount(): number {
    return this.#edges;
  }

  /** Adds (or re-conditions) the edge `agent` depends on `dependsOn`. */
  add(agent: string, dependsOn: string, condition: DependencyCondition): void {
    const dependencies = getOrAdd(this.#dependencies, agent, () => new Map());
    if (!dependencies.has(dependsOn)) this.#edges++;
    dependencies.set(dependsOn, condition);
    getOrAdd(this.#dependents, dependsOn, () => new Set()).add(agent);
  }

  dependenciesOf(agent: string): Dependency[] {
    return Array.from(this.conditionsOf(agent), ([name, condition]) => ({ agent: name, condition }));
  }

  /** What `agent` waits for, dependency name -> condition, in declaration order; nothing is copied. */
  conditionsOf(agent: string): ReadonlyMap<string, DependencyCondition> {
    return this.#dependencies.get(agent) ?? NO_CONDITIONS;
  }

  dependentsOf(agent: string): ReadonlySet<string> {
    return this.#dependents.get(agent) ?? EMPTY;
  }

  /**
   * `agents` and everything they depend on, directly or not (dependencies not in the graph
   * included); with `'dependents'`, everything that depends on them instead.
   */
  closure(agents: Iterable<string>, direction: 'dependencies' | 'dependents' = 'dependencies'): Set<string> {
    const next =
      direction === 'dependencies'
        ? (agent: string) => this.#dependencies.get(agent)?.keys() ?? []
        : (agent: string) => this.dependentsOf(agent);
    const found = new Set(agents);
    const pending = [...found];
    for (let agent = pending.pop(); agent !== undefined; agent = pending.pop()) {
      for (const other of next(agent)) {
        if (!found.has(other)) {
          found.add(other);
          pending.push(other);
        }
      }
    }
    return found;
  }

  /**
   * Checks the graph over the registered `agents` (in registration order) and returns them
   * dependencies first; among independent agents, registration order is kept as far as the
   * graph allows. Throws `DependencyError` listing every missing agent and every cycle.
   */
  order(agents: readonly string[]): string[] {
    // No dependency declared at all: nothing is missing, nothing cycles, every agent is independent.
    if (this.#edges === 0) return [...agents];
    const count = agents.length;
    const indexOf = new Map<string, number>();
    for (let i = 0; i < count; i++) indexOf.set(agents[i]!, i);

    // Compact adjacency (CSR): the dependencies of node i are targets[offsets[i] .. offsets[i+1]).
    const missing: MissingDependency[] = [];
    const offsets = new Int32Array(count + 1);
    const targets = new Int32Array(this.#edges);
    let edge = 0;
    for (let i = 0; i < count; i++) {
      offsets[i] = edge;
      const agent = agents[i]!;
      for (const dependency of this.#dependencies.get(agent)?.keys() ?? []) {
        const target = indexOf.get(dependency);
        if (target === undefined) missing.push({ agent, dependsOn: dependency });
        else targets[edge++] = target;
      }
    }
    offsets[count] = edge;

    const { order, components } = stronglyConnected(count, offsets, targets);
    const cycles = components.map((component) =>
      cycleIn(component, offsets, targets).map((node) => agents[node]!),
    );
    if (missing.length > 0 || cycles.length > 0) throw new DependencyError(missing, cycles);
    return Array.from(order, (node) => agents[node]!);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
const NO_CONDITIONS: ReadonlyMap<string, DependencyCondition> = new Map();

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/**
 * Tarjan's algorithm without recursion. Components come out dependencies first (a component is
 * complete only after everything it reaches), so for a graph without cycles the emission order is
 * a topological order. Returns that order and the components that contain a cycle.
 */
function stronglyConnected(
  count: number,
  offsets: Int32Array,
  targets: Int32Array,
): { order: Int32Array; components: Int32Array[] } {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack = new Int32Array(count);
  const frames = new Int32Array(count);
  const cursor = new Int32Array(count);
  const order = new Int32Array(count);
  const components: Int32Array[] = [];
  let stackTop = 0;
  let emitted = 0;
  let counter = 0;

  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    frames[0] = root;
    cursor[root] = offsets[root]!;
    index[root] = low[root] = counter++;
    stack[stackTop++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const node = frames[depth]!;
      const position = cursor[node]!;
      if (position < offsets[node + 1]!) {
        cursor[node] = position + 1;
        const next = targets[position]!;
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack[stackTop++] = next;
          onStack[next] = 1;
          cursor[next] = offsets[next]!;
          frames[++depth] = next;
        } else if (onStack[next] && index[next]! < low[node]!) {
          low[node] = index[next]!;
        }
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = frames[depth]!;
        if (low[node]! < low[parent]!) low[parent] = low[node]!;
      }
      if (low[node] !== index[node]) continue;
      const start = stackTop;
      do {
        stackTop--;
        onStack[stack[stackTop]!] = 0;
      } while (stack[stackTop] !== node);
      const members = stack.subarray(stackTop, start);
      // A lone node is acyclic (self-dependencies are refused when declared).
      if (members.length > 1) components.push(members.slice().sort());
      for (let i = members.length - 1; i >= 0; i--) order[emitted++] = members[i]!;
    }
  }
  return { order, components };
}

/**
 * One cycle inside a strongly connected component, as a closed path starting at the component's
 * earliest-registered member. Every member has an edge to another member, so walking such edges
 * must come back to a node already on the path; linear in the component's edges.
 */
function cycleIn(component: Int32Array, offsets: Int32Array, targets: Int32Array): number[] {
  const members = new Set(component);
  const position = new Map<number, number>();
  const path: number[] = [];
  let node = component[0]!;
  while (!position.has(node)) {
    position.set(node, path.length);
    path.push(node);
    for (let edge = offsets[node]!; edge < offsets[node + 1]!; edge++) {
      if (members.has(targets[edge]!)) {
        node = targets[edge]!;
        break;
      }
    }
  }
  const cycle = path.slice(position.get(node));
  // Start at the earliest-registered node of the cycle, and close it.
  let first = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[first]!) first = i;
  const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
  rotated.push(rotated[0]!);
  return rotated;
}
