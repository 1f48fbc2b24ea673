import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tsorchestrate run', () => {
  for (const mode of ['inline', 'thread', 'process']) {
    it(`starts and joins an Orchestrator returned by main (${mode} agent), exit 0`, async () => {
      const { code, stdout } = await run('run', fixture('doubles.ts'), mode);
      assert.equal(code, 0);
      assert.match(stdout, /result=8/);
    });
  }

  it('exits 1 when an agent failed', async () => {
    const { code } = await run('run', fixture('fails.ts'));
    assert.equal(code, 1);
  });

  it('uses the number main returns as the exit code and passes args', async () => {
    assert.equal((await run('run', fixture('exit-code.ts'), '7')).code, 7);
  });

  it('explains what to export when the module has no default export', async () => {
    const { code, stderr } = await run('run', fixture('no-default.ts'));
    assert.equal(code, 1);
    assert.match(stderr, /export default an async function main\(args\) or an Orchestrator/);
  });

  it('names the file when there is none to run, without a stack', async () => {
    const missing = fixture('missing.ts');
    const { code, stderr } = await run('run', missing);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /Invalid option "file": received ".*missing\.ts"; expected a TypeScript or JavaScript file/,
    );
    assert.match(stderr, /\[ERR_INVALID_OPTION\]/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it('prints its version', async () => {
    const { code, stdout } = await run('--version');
    assert.equal(code, 0);
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    assert.equal(stdout.trim(), version);
  });

  it('rejects an unknown command with help', async () => {
    const { code, stderr } = await run('frobnicate');
    assert.notEqual(code, 0);
    assert.match(stderr, /unknown command/);
  });
});
