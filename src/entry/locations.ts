/**
 * Where the files a thread or process starts from are: this module sits beside them. The build
 * (scripts/build.ts) keeps it an entry point of its own, never merged into a chunk, so its
 * `import.meta.url` is src/entry/ when running from source and dist/entry/ in the package, wherever
 * the code asking lives (inside a bundled chunk, `import.meta.url` is the chunk's URL).
 */
const here = import.meta.url;

/** URL of the transport a thread or process starts from (`.ts` from source, `.js` from dist). */
export function transportUrl(name: 'thread-transport' | 'process-transport'): string {
  const extension = here.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, here).href;
}
