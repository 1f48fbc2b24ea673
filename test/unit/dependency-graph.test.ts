import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DependencyError } from '../../src/errors.ts';
import { DependencyGraph } from '../../src/orchestrator/dependency-graph.ts';

function graphOf(edges: [string, string][]): DependencyGraph {
  const graph = new DependencyGraph();
  for (const [agent, dependsOn] of edges) graph.add(agent, dependsOn, 'ready');
  return graph;
}

function dependencyError(run: () => unknown): DependencyError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DependencyError, `expected a DependencyError, got ${error}`);
    return error;
  }
  assert.fail('expected a DependencyError');
}

describe('DependencyGraph', () => {
  test('orders dependencies first, and otherwise keeps registration order', () => {
    const graph = graphOf([
      ['a', 'c'],
      ['c', 'd'],
      ['e', 'b'],
    ]);
    const order = graph.order(['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(order, ['d', 'c', 'a', 'b', 'e']);
  });

  test('without any dependency: registration order, in a new array', () => {
    const agents = ['b', 'a', 'c'];
    const order = new DependencyGraph().order(agents);
    assert.deepEqual(order, ['b', 'a', 'c']);
    order.pop();
    assert.deepEqual(agents, ['b', 'a', 'c']);
  });

  test('every order it returns puts each dependency before its dependents', () => {
    const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
    const graph = new DependencyGraph();
    // A fixed pseudo-random DAG: edges only from a higher to a lower index.
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const edges: [string, string][] = [];
    for (let i = 1; i < names.length; i++) {
      for (let k = 0; k < 3; k++) edges.push([names[i]!, names[Math.floor(random() * i)]!]);
    }
    for (const [agent, dependsOn] of edges) graph.add(agent, dependsOn, 'completed');
    const shuffled = [...names].sort(() => random() - 0.5);
    const position = new Map(graph.order(shuffled).map((name, index) => [name, index]));
    assert.equal(position.size, names.length);
    for (const [agent, dependsOn] of edges) {
      assert.ok(position.get(dependsOn)! < position.get(agent)!, `${dependsOn} before ${agent}`);
    }
  });

  test('lists every missing agent, not just the first', () => {
    const graph = graphOf([
      ['a', 'ghost'],
      ['b', 'phantom'],
      ['b', 'a'],
    ]);
    const error = dependencyError(() => graph.order(['a', 'b']));
    assert.equal(error.code, 'ERR_INVALID_DEPENDENCIES');
    assert.deepEqual(error.missing, [
      { agent: 'a', dependsOn: 'ghost' },
      { agent: 'b', dependsOn: 'phantom' },
    ]);
    assert.match(error.message, /"a" depends on "ghost", which is not registered/);
    assert.match(error.message, /"b" depends on "phantom", which is not registered/);
  });

  test('reports every cycle as a path that starts at its earliest-registered agent', () => {
    const graph = graphOf([
      ['b', 'c'],
      ['c', 'a'],
      ['a', 'b'],
      ['x', 'y'],
      ['y', 'x'],
      ['free', 'a'],
    ]);
    const error = dependencyError(() => graph.order(['a', 'b', 'c', 'free', 'x', 'y']));
    assert.deepEqual(error.missing, []);
    assert.deepEqual(
      error.cycles.sort((p, q) => p[0]!.localeCompare(q[0]!)),
      [
        ['a', 'b', 'c', 'a'],
        ['x', 'y', 'x'],
      ],
    );
    assert.match(error.message, /cycle: a -> b -> c -> a/);
    assert.match(error.message, /cycle: x -> y -> x/);
  });

  test('missing agents and cycles are reported together', () => {
    const graph = graphOf([
      ['a', 'b'],
      ['b', 'a'],
      ['c', 'nope'],
    ]);
    const error = dependencyError(() => graph.order(['a', 'b', 'c']));
    assert.deepEqual(error.missing, [{ agent: 'c', dependsOn: 'nope' }]);
    assert.deepEqual(error.cycles, [['a', 'b', 'a']]);
  });

  test('a chain of 100,000 agents is ordered without recursion', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `n${i}`);
    const graph = new DependencyGraph();
    for (let i = 0; i + 1 < names.length; i++) graph.add(names[i]!, names[i + 1]!, 'ready');
    const order = graph.order(names);
    assert.equal(order[0], 'n99999');
    assert.equal(order.at(-1), 'n0');
  });

  test('closure: an agent and everything it needs, directly or not', () => {
    const graph = graphOf([
      ['top', 'mid'],
      ['mid', 'base'],
      ['other', 'base'],
    ]);
    assert.deepEqual([...graph.closure(['top'])].sort(), ['base', 'mid', 'top']);
    assert.deepEqual(graph.dependenciesOf('top'), [{ agent: 'mid', condition: 'ready' }]);
    assert.deepEqual([...graph.dependentsOf('base')].sort(), ['mid', 'other']);
  });

  test('re-declaring an edge replaces its condition without adding an edge', () => {
    const graph = new DependencyGraph();
    graph.add('a', 'b', 'ready');
    graph.add('a', 'b', 'completed');
    assert.equal(graph.edgeCount, 1);
    assert.deepEqual(graph.dependenciesOf('a'), [{ agent: 'b', condition: 'completed' }]);
  });
});
