import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError, Orchestrator } from '../index.ts';

/**
 * `tsorchestrate run <file> [args...]`: imports a TypeScript or JavaScript module and runs its
 * default export: an async `main(args)` (a returned number is the exit code; a returned
 * Orchestrator is started and joined), or an Orchestrator (started and joined).
 * Resolves with the exit code.
 */
export async function runFile(file: string, args: string[]): Promise<number> {
  const path = resolve(process.cwd(), file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
    throw new InvalidOptionError(
      'file',
      file,
      `a TypeScript or JavaScript file to run (${path} is not a file)`,
    );
  }
  const url = pathToFileURL(path).href;
  const module = (await import(url)) as { default?: unknown };
  const main = module.default;
  let outcome: unknown;
  if (typeof main === 'function') outcome = await main(args);
  else if (main instanceof Orchestrator) outcome = main;
  else {
    throw new TypeError(
      `${file} has no default export to run: export default an async function main(args) or an Orchestrator.`,
    );
  }
  if (outcome instanceof Orchestrator) return runOrchestrator(outcome);
  if (typeof outcome === 'number') return outcome;
  return 0;
}

async function runOrchestrator(orchestrator: Orchestrator): Promise<number> {
  await orchestrator.start();
  await orchestrator.join();
  const failed = orchestrator.agents().filter((entry) => entry.status === 'failed');
  return failed.length > 0 ? 1 : 0;
}
