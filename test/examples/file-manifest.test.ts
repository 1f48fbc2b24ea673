/**
 * Runs the file-manifest example end to end (thread hashers, inline progress, process writer)
 * on a small directory of known files. The example imports 'tsorchestrate', i.e. dist/: build first.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Manifest } from '../../examples/file-manifest/agents.ts';
import main from '../../examples/file-manifest/main.ts';

// sha256 test vectors (FIPS 180-2): '', 'abc', and one million 'a' (many read-stream chunks).
const FILES: Record<string, { content: string; sha256: string }> = {
  'abc.txt': { content: 'abc', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  'empty.txt': { content: '', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  'nested/deeper/million-a.txt': {
    content: 'a'.repeat(1_000_000),
    sha256: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
  'nested/hello.txt': {
    content: 'hello',
    sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
  },
};

test('file-manifest hashes every file and writes a sorted manifest with totals', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'file-manifest-test-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const dir = join(base, 'input');
  const outDir = join(base, 'out');
  for (const [path, { content }] of Object.entries(FILES)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }

  let stdout = '';
  let stderr = '';
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main([dir, outDir], { write: (text: string) => (stdout += text) });
  t.mock.restoreAll();

  assert.equal(code, 0, `exit code; output:\n${stdout}\n${stderr}`);
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  const expected = Object.entries(FILES)
    .map(([path, { content, sha256 }]) => ({ path, size: Buffer.byteLength(content), sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  assert.deepEqual(manifest, {
    root: dir,
    count: 4,
    totalBytes: 1_000_008,
    files: expected,
  });

  assert.match(stdout, /files hashed {2}4\n/);
  assert.match(stdout, /total bytes {3}1000008\n/);
  assert.match(stdout, /agents {8}inline: 1, thread: 4, process: 1\n/);
  assert.ok(stdout.includes(`manifest      ${join(outDir, 'manifest.json')}\n`));
  assert.match(stdout, /progress {2}inline {3}stopped\n/);
  assert.match(stdout, /writer {4}process {2}completed\n/);
  for (let i = 1; i <= 4; i++)
    assert.match(stdout, new RegExp(`hasher-${i}  thread   completed \\(1 files\\)`));
  assert.match(stderr, /\[progress\] 4\/4 files hashed \(100%\)/);
});
