/**
 * Inside a thread or process, `tsorchestrate` and `tsorchestrate/agent` mean the copy of the
 * package that runs the host: one BaseAgent, one SharedEvent, one set of error classes for the
 * agent's module and for the host that drives it, whatever copy the agent's own `node_modules`
 * would resolve to. And it is quicker:
 *  - a bare specifier goes through the package's `exports`, whose target check compiles a
 *    case-insensitive RegExp cold in every fresh isolate (about 0.5 ms a thread, 1 ms a process
 *    here); this answers the two names directly;
 *  - bundled, `tsorchestrate/agent` leads to the module this code is in: the chunk holding the
 *    whole agent side, which the thread or process has loaded already to run the host. So the
 *    agent's import costs nothing, where dist/agent.js (which only re-exports that chunk) would
 *    be one more module to load. The chunk exports every name dist/agent.js does, under the same
 *    name (scripts/build.ts checks), and a few of the package's internal ones besides.
 *
 * A synchronous, in-thread resolve hook (`module.registerHooks`); every other specifier goes on
 * to Node's own resolution untouched.
 */
import { registerHooks } from 'node:module';

const here = import.meta.url;
/** From source, this is src/entry/own-package.ts; bundled, a chunk in dist/chunks/: one level down either way. */
const fromSource = here.endsWith('.ts');

/** Routes the package's two entry points in this thread or process to this copy of the package. */
export function routeOwnPackage(): void {
  const entries = new Map([
    ['tsorchestrate', new URL(fromSource ? '../index.ts' : '../index.js', here).href],
    ['tsorchestrate/agent', fromSource ? new URL('../agent.ts', here).href : here],
  ]);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = entries.get(specifier);
      return url ? { url, shortCircuit: true } : nextResolve(specifier, context);
    },
  });
}
