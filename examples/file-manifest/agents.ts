/**
 * Agents of the file-manifest example. This module only defines classes: worker threads and
 * child processes import it to rebuild the agents, so it must have no side effects.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OneShotAgent, PeriodicAgent, type PeriodicConfig } from 'tsorchestrate/agent';

/** One hashed file; `path` is relative to the hashed directory, with `/` separators. */
export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface HasherConfig {
  /** The directory `files` are relative to. */
  root: string;
  /** This hasher's share of the files. */
  files: string[];
  /** A 4-byte counter of files hashed, shared by every hasher and the progress agent. */
  progress: SharedArrayBuffer | null;
  /** Where each hasher leaves its entries for the writer (`<agent name>.json`). */
  partsDir: string;
}

/**
 * Hashes its share of the files (sha256, streamed) and leaves the entries in `partsDir` for the
 * writer; the result is the same entries.
 */
export class Hasher extends OneShotAgent<HasherConfig, FileEntry[]> {
  static readonly module = import.meta.url;
  static override readonly defaults: HasherConfig = { root: '.', files: [], progress: null, partsDir: '' };

  async execute(): Promise<FileEntry[]> {
    const { root, files, progress, partsDir } = this.config;
    const counter = progress ? new Int32Array(progress) : undefined;
    const entries: FileEntry[] = [];
    for (const path of files) {
      entries.push({ path, ...(await hashFile(join(root, path), this.signal)) });
      if (counter) Atomics.add(counter, 0, 1);
    }
    await mkdir(partsDir, { recursive: true });
    await writeFile(join(partsDir, `${this.name}.json`), JSON.stringify(entries), { signal: this.signal });
    return entries;
  }
}

async function hashFile(file: string, signal: AbortSignal): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

export interface ProgressConfig extends PeriodicConfig {
  /** The hashers' shared counter. */
  progress: SharedArrayBuffer | null;
  /** How many files there are in all. */
  total: number;
}

/** Prints how many files are hashed, every `interval` ms while the count changes, until stopped. */
export class Progress extends PeriodicAgent<ProgressConfig> {
  static readonly module = import.meta.url;
  static override readonly defaults = { interval: 200, progress: null, total: 0 };

  #counter: Int32Array | undefined;
  #lastPrinted = -1;

  override setup(): void {
    const { progress } = this.config;
    this.#counter = progress ? new Int32Array(progress) : undefined;
  }

  override runner(): void {
    this.#print();
  }

  override onClose(): void {
    this.#print(); // the final count, once the hashers are done
  }

  #print(): void {
    const done = this.#counter ? Atomics.load(this.#counter, 0) : 0;
    if (done === this.#lastPrinted) return;
    this.#lastPrinted = done;
    const { total } = this.config;
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    process.stderr.write(`[progress] ${done}/${total} files hashed (${percent}%)\n`);
  }
}

export interface WriterConfig {
  /** Where `manifest.json` goes (created if missing). */
  outDir: string;
  /** The hashed directory, recorded in the manifest. */
  root: string;
  /** The hashers' parts: read, merged, then removed. */
  partsDir: string;
}

export interface WriterResult {
  path: string;
  count: number;
  totalBytes: number;
}

export interface Manifest {
  root: string;
  count: number;
  totalBytes: number;
  files: FileEntry[];
}

/**
 * Merges the hashers' parts into `manifest.json` (entries sorted by path, with totals) and returns
 * its path and count. It runs once every hasher has completed (a `completed` dependency on each).
 */
export class Writer extends OneShotAgent<WriterConfig, WriterResult> {
  static readonly module = import.meta.url;
  static override readonly defaults: WriterConfig = { outDir: '.', root: '.', partsDir: '' };

  async execute(): Promise<WriterResult> {
    const { outDir, root, partsDir } = this.config;
    const entries: FileEntry[] = [];
    for (const part of await readdir(partsDir)) {
      entries.push(...(JSON.parse(await readFile(join(partsDir, part), 'utf8')) as FileEntry[]));
    }
    // Compare code units, not locale order, so the same files always give the same manifest.
    const files = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const totalBytes = files.reduce((sum, entry) => sum + entry.size, 0);
    const manifest: Manifest = { root, count: files.length, totalBytes, files };
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, 'manifest.json');
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`, { signal: this.signal });
    await rm(partsDir, { recursive: true, force: true });
    return { path, count: files.length, totalBytes };
  }
}
