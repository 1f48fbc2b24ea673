/**
 * A thread or process agent is rebuilt on the other side from its module URL and export name.
 * This checks, at registration, that both exist, and says exactly what to add when they don't.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { AgentLoadError, describeValue } from '../errors.ts';
import type { AgentMode, ModuleRef } from '../protocol/messages.ts';

const require = createRequire(import.meta.url);

type Loadable = { readonly name: string; readonly module?: unknown };

/** Found refs, per class: registering many agents of one class looks it up once. */
const resolved = new WeakMap<Loadable, ModuleRef>();

export function resolveModuleRef(Class: Loadable, mode: AgentMode, kind: 'agent' | 'plugin'): ModuleRef {
  const known = resolved.get(Class);
  if (known) return known;
  const ref = findModuleRef(Class, mode, kind);
  resolved.set(Class, ref);
  return ref;
}

function findModuleRef(Class: Loadable, mode: AgentMode, kind: 'agent' | 'plugin'): ModuleRef {
  const what = `${kind === 'agent' ? 'Agent' : 'Plugin'} class ${Class.name || '(anonymous)'}`;
  const fix = `Add to the class:  static readonly module = import.meta.url;  and export it from that module.`;
  if (!Object.hasOwn(Class, 'module')) {
    const inherited =
      typeof Class.module === 'string'
        ? ` (it inherits "module" from a parent class, which points at the parent's module)`
        : '';
    throw new AgentLoadError(
      `${what} cannot run in ${mode} mode: it does not declare its module${inherited}. ${fix}`,
    );
  }
  const moduleUrl = Class.module;
  if (typeof moduleUrl !== 'string' || !URL.canParse(moduleUrl) || !moduleUrl.startsWith('file:')) {
    throw new AgentLoadError(
      `${what} cannot run in ${mode} mode: its static "module" must be a file: URL, received ${describeValue(moduleUrl)}. ${fix}`,
    );
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = require(fileURLToPath(moduleUrl)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE') {
      // Top-level await: cannot be inspected synchronously. The worker checks the export when it loads.
      return { moduleUrl, exportName: Class.name };
    }
    if (code === 'ERR_REQUIRE_CYCLE_MODULE') {
      throw new AgentLoadError(
        `${what} cannot run in ${mode} mode: its module ${moduleUrl} is still being evaluated (it is the program being run, or imports it). Move the class into a module of its own, or export a main function and run the file with "tsorchestrate run".`,
        { cause: error },
      );
    }
    throw new AgentLoadError(
      `${what} cannot run in ${mode} mode: its module ${moduleUrl} failed to load: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  for (const [exportName, value] of Object.entries(namespace)) {
    if (value === Class) return { moduleUrl, exportName };
  }
  throw new AgentLoadError(
    `${what} cannot run in ${mode} mode: ${fileURLToPath(moduleUrl)} does not export it. Add "export" before "class ${Class.name}" in that module.`,
  );
}
