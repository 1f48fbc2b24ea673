/**
 * Named sets of agent names, for acting on several agents at once. A group exists while it has
 * members; every change is checked in full before anything changes.
 */
import { describeValue, InvalidOptionError, OrchestratorError } from '../errors.ts';

export class Groups {
  readonly #groups = new Map<string, Set<string>>();
  readonly #assertAgent: (name: string, field: string) => void;

  /** @param assertAgent throws when `name` is not a registered agent (`field` names the bad input). */
  constructor(assertAgent: (name: string, field: string) => void) {
    this.#assertAgent = assertAgent;
  }

  add(group: string, names: readonly string[]): void {
    this.#check(group, names);
    let members = this.#groups.get(group);
    if (!members) {
      members = new Set();
      this.#groups.set(group, members);
    }
    for (const name of names) members.add(name);
  }

  remove(group: string, names: readonly string[]): void {
    this.#check(group, names);
    const members = this.#members(group);
    for (const name of names) members.delete(name);
    if (members.size === 0) this.#groups.delete(group);
  }

  /** The members, in the order they were added. Throws `ERR_UNKNOWN_GROUP` naming the known groups. */
  members(group: string): string[] {
    return [...this.#members(group)];
  }

  /** Every group and its members. */
  all(): Record<string, string[]> {
    return Object.fromEntries([...this.#groups].map(([group, members]) => [group, [...members]]));
  }

  /** The groups an agent belongs to. */
  of(name: string): string[] {
    return [...this.#groups].filter(([, members]) => members.has(name)).map(([group]) => group);
  }

  #members(group: string): Set<string> {
    const members = this.#groups.get(group);
    if (!members) {
      const known = [...this.#groups.keys()];
      throw new OrchestratorError(
        'ERR_UNKNOWN_GROUP',
        `No group named ${describeValue(group)} (${known.length ? `one of: ${known.join(', ')}` : 'there are no groups'}).`,
      );
    }
    return members;
  }

  #check(group: string, names: readonly string[]): void {
    if (typeof group !== 'string' || group.length === 0) {
      throw new InvalidOptionError('group', group, 'a non-empty string');
    }
    if (!Array.isArray(names)) throw new InvalidOptionError('names', names, 'an array of agent names');
    names.forEach((name, index) => {
      this.#assertAgent(name, `names[${index}]`);
    });
  }
}
