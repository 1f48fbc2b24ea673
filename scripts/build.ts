/**
 * Builds dist/: declarations with tsc (tsconfig.build.json, emitDeclarationOnly) and the JavaScript
 * with esbuild, bundled with ESM code splitting.
 *
 *   node scripts/build.ts        (npm run build; also npm's prepare, so `npm ci` builds dist/)
 *
 * Why bundle: every ES module costs ~0.3–0.45 ms in each fresh worker isolate or child process, even
 * from the compile cache, and the agent side of a thread or process loaded ~15 of them. Bundled, it
 * loads a handful. Why split: BaseAgent, SharedEvent, the errors... must exist once, shared by
 * dist/index.js, dist/agent.js and the transports, or `instanceof` breaks across them.
 *
 * Entry points keep their paths under dist/ (package.json exports and bin, and the files threads and
 * processes are started from); shared code goes to dist/chunks/. node_modules packages stay external.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

const ENTRY_POINTS = [
  'index.ts', // package.json exports "."
  'agent.ts', // exports "./agent"
  'cli/main.ts', // bin
  'entry/thread-transport.ts', // first module of every thread, by URL (transportUrl)
  'entry/process-transport.ts',
  'entry/locations.ts', // the anchor those URLs are computed from: see below
].map((path) => join(src, path));

/**
 * entry/locations.ts computes the entry files' URLs from its own `import.meta.url`. Bundled into a
 * chunk it would see the chunk's URL, so it stays a module of its own: imports of it are external
 * here, pointing at its output, and are rewritten below to the right relative path from each output.
 */
const LOCATIONS_SOURCE = join(src, 'entry/locations.ts');
const LOCATIONS_OUTPUT = join(dist, 'entry/locations.js');
const keepLocationsApart: esbuild.Plugin = {
  name: 'keep-locations-apart',
  setup(build) {
    build.onResolve({ filter: /locations\.ts$/ }, (args) => {
      if (args.kind === 'entry-point' || resolve(args.resolveDir, args.path) !== LOCATIONS_SOURCE) return;
      return { path: LOCATIONS_OUTPUT, external: true };
    });
  },
};

async function declarations(): Promise<void> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
      cwd: root,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    process.stderr.write(stdout + stderr);
    throw new Error('tsc failed (declarations)');
  }
}

async function javascript(): Promise<string[]> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: dist,
    outbase: src,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.18',
    packages: 'external',
    sourcemap: true,
    // No keepNames: it adds a helper module every output imports. Names are checked instead below.
    logLevel: 'warning',
    write: false,
    plugins: [keepLocationsApart],
  });
  const placeholder = JSON.stringify(LOCATIONS_OUTPUT);
  const written: string[] = [];
  for (const file of result.outputFiles) {
    let text = file.text;
    if (file.path.endsWith('.js') && text.includes(placeholder)) {
      let path = relative(dirname(file.path), LOCATIONS_OUTPUT).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      text = text.replaceAll(placeholder, JSON.stringify(path));
    }
    if (file.path.endsWith('.js') && text.includes(dist)) {
      throw new Error(`${relative(root, file.path)} refers to an absolute path under dist/`);
    }
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, text);
    written.push(file.path);
  }
  return written;
}

/**
 * Names that `.name` reports: `class X`, `function X`, and `X = class / function / arrow` (not
 * `#x = ...` or `obj.x = ...`: fields and properties are never renamed).
 */
const NAMED =
  /\b(?:class|function\*?)\s+(?!extends\b)([A-Za-z_$][\w$]*)|(?<![#.\w$])([A-Za-z_$][\w$]*)\s*=\s*(?:class\b|function\b|async\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/g;
/** Every name a source declares. */
const DECLARED = /\b(?:class|function\*?|const|let|var)\s+([A-Za-z_$][\w$]*)/g;

/**
 * Class and function names are behaviour here (errors are named after their class, messages name
 * classes). esbuild renames a declaration when two bundled modules declare the same top-level name;
 * fail then, rather than ship `class AgentLoadError2` (fix: rename one, or turn on keepNames).
 */
function checkNamesKept(outputs: readonly string[]): void {
  const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.[jt]s$/.test(path))
    .map((path) => readFileSync(join(src, path), 'utf8'))
    .join('\n');
  const declared = new Set(Array.from(sources.matchAll(DECLARED), (match) => match[1]!));
  const renamed = outputs
    .filter((path) => path.endsWith('.js'))
    .flatMap((path) => {
      const named = Array.from(readFileSync(path, 'utf8').matchAll(NAMED), (match) => match[1] ?? match[2]!);
      return [...new Set(named)]
        .filter((name) => !declared.has(name))
        .map((name) => `${relative(root, path)}: ${name}`);
    });
  if (renamed.length > 0) throw new Error(`esbuild renamed declarations:\n  ${renamed.join('\n  ')}`);
}

/** Every file package.json points at (exports, bin) exists after the build. */
function checkPackagePaths(): void {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
    exports?: Record<string, string | Record<string, string>>;
  };
  const paths = [
    ...Object.values(pkg.bin ?? {}),
    ...Object.values(pkg.exports ?? {}).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    ),
  ];
  const missing = paths.filter((path) => !existsSync(join(root, path)));
  if (missing.length > 0) throw new Error(`package.json points at missing files: ${missing.join(', ')}`);
}

/** `{ a, b as c }` of an import or export clause, as [local, exported] pairs. */
function clauseNames(clause: string): [string, string][] {
  return clause
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [local, exported = local] = part.split(/\s+as\s+/);
      return [local!, exported!];
    });
}

/**
 * Threads and processes route `tsorchestrate/agent` to the chunk holding the agent side, the one
 * module src/entry/own-package.ts is bundled into (see there). That is only right while
 * dist/agent.js is nothing but a re-export of that very chunk, every name under its own name.
 */
function checkAgentSide(): void {
  const facade = readFileSync(join(dist, 'agent.js'), 'utf8');
  const match = /^import\s*\{([^}]*)\}\s*from\s*"\.\/(chunks\/[^"]+)";\s*export\s*\{([^}]*)\};/.exec(facade);
  const problem = (what: string) =>
    new Error(
      `dist/agent.js ${what}: threads and processes would route tsorchestrate/agent wrong (src/entry/own-package.ts)`,
    );
  if (!match) throw problem('is not a single re-export of one chunk');
  const imported = clauseNames(match[1]!);
  const exported = clauseNames(match[3]!);
  if (imported.some(([local, name]) => local !== name) || exported.some(([local, name]) => local !== name))
    throw problem('renames a name');
  const chunk = readFileSync(join(dist, match[2]!), 'utf8');
  const chunkExports = new Set(
    Array.from(chunk.matchAll(/^export\s*\{([^}]*)\};/gm), (found) => clauseNames(found[1]!))
      .flat()
      .map(([, name]) => name),
  );
  if (!chunkExports.has('routeOwnPackage'))
    throw problem(`re-exports ${match[2]}, which does not hold the routing`);
  const missing = exported.map(([name]) => name).filter((name) => !chunkExports.has(name));
  if (missing.length > 0) throw problem(`exports names its chunk does not: ${missing.join(', ')}`);
}

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
const [written] = await Promise.all([javascript(), declarations()]);
checkPackagePaths();
checkAgentSide();
checkNamesKept(written);
const chunks = written.filter((path) => path.endsWith('.js') && path.includes(`${sep}chunks${sep}`));
console.log(
  `dist/: ${ENTRY_POINTS.length} entry points, ${chunks.length} shared chunks, declarations (${(performance.now() - started).toFixed(0)} ms)`,
);
