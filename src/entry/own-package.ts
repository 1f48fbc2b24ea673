/**
 * Inside a thread or process, `tsorchestrate` and `tsorchestrate/agent` mean the copy of the
 * package that runs the host: one BaseAgent, one SharedEvent, one set of error classes for the
 * agent's module and for the host that drives it, whatever copy the agent's own `node_modules`
 * would resolve to. And it is quicker: a bare specifier goes through the package's `exports`, whose
 * target check compiles a case-insensitive RegExp cold in every fresh isolate (about 0.5 ms a
 * thread, 1 ms a process here); this answers the two names directly.
 *
 * Synchronous, in-thread resolve hook (`module.registerHooks`); every other specifier goes on to
 * Node's own resolution untouched.
 */
import { registerHooks } from 'node:module';

/**
 * Routes the package's two entry points to the files beside `transportUrl`, the URL of the
 * transport module (`src/entry/*.ts` from source, `dist/entry/*.js` in the package).
 */
export function routeOwnPackage(transportUrl: string): void {
  const extension = transportUrl.endsWith('.ts') ? '.ts' : '.js';
  const entries = new Map([
    ['tsorchestrate', new URL(`../index${extension}`, transportUrl).href],
    ['tsorchestrate/agent', new URL(`../agent${extension}`, transportUrl).href],
  ]);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = entries.get(specifier);
      return url ? { url, shortCircuit: true } : nextResolve(specifier, context);
    },
  });
}
