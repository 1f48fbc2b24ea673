#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { InvalidOptionError, OrchestratorError } from '../index.ts';
import { runFile } from './run-command.ts';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`tsorchestrate needs Node >= 22.18 (this is ${process.versions.node}).\n`);
  process.exit(1);
}

const program = new Command()
  .name('tsorchestrate')
  .description('Run and supervise agents in the main loop, worker threads and child processes.')
  // The package's own package.json: two levels up from src/cli/ and from dist/cli/ alike.
  .version((createRequire(import.meta.url)('../../package.json') as { version: string }).version)
  .showHelpAfterError();

program
  .command('run')
  .description(
    "run a module's default export: an async main(args) or an Orchestrator (TypeScript or JavaScript)",
  )
  .argument('<file>', 'module to run, e.g. examples/file-manifest/main.ts')
  .argument('[args...]', 'arguments passed to main(args)')
  .action(async (file: string, args: string[]) => {
    process.exitCode = await runFile(file, args);
    // Whatever the program left behind must not keep the CLI up once main has returned.
    setTimeout(() => process.exit(), 1000).unref();
  });

try {
  await program.parseAsync();
} catch (error) {
  const code = error instanceof OrchestratorError ? ` [${error.code}]` : '';
  // A bad argument is said as it is; anything else comes with its stack, to find where it broke.
  const said = error instanceof InvalidOptionError ? error.message : ((error as Error)?.stack ?? error);
  process.stderr.write(`tsorchestrate: ${said}${code}\n`);
  process.exitCode = 1;
}
