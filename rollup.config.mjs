// Builds every shipped artifact. One entry file per artifact; TypeScript is compiled by esbuild (tsc 7 has no
// JS API, so typechecking and .d.ts output are separate: `npm run typecheck`, `npm run build:types`).
//
//   dist/workflows.js        script-tag runtime (IIFE, minified) from runtime/entry.ts      every visitor
//   dist/chunks/sensors.js   page-trigger watchers (ESM, minified) from runtime/sensors/entry.ts
//   dist/chunks/outbox.js    the persisted outbox and collector batching (ESM, minified) from runtime/outbox.ts
//   dist/chunks/actions.js   webhook and app request builders, the Code step runner (ESM, minified) from
//                            runtime/actions/entry.ts
//   dist/chunks/renderer.js  promotion renderer (ESM, minified) from runtime/renderer/entry.ts
//   dist/chunks/promotions.js, time.js, variants.js, goals.js, segments.js, channel.js, commerce.js, enrollment.js
//                            the features a bundle may not use (ESM, minified) from runtime/features/<name>.ts,
//                            imported at start when the bundle's `needs` lists them
//   Each chunk is built only once its entry exists. The runtime fetches chunks on first need with import(),
//   from a URL relative to its own script, so they are ES modules and not IIFEs (docs/runtime.md says when).
//   dist/esm/index.js        the pure model for npm users (ESM, readable) from src/index.ts
//   dist/esm/runtime.js      the runtime as ESM (readable) from runtime/index.ts
//   dist/cli.mjs             the CLI for Node (ESM) from src/cli/main.ts; bin/workflows.mjs imports it
//
// `rollup -c --environment ONLY:cli` builds the CLI alone (what `npm run prepare` does after an install).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Browser builds: ES2020 (optional chaining, `??`) is what every browser still in use runs natively. */
const BROWSER_TARGET = 'es2020';

const compile = (target) =>
  esbuild({
    target,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Authoring files, templates and the schema may be imported as data.
    loaders: { '.json': 'json' },
  });

const minify = () =>
  terser({
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  });

/** Fail on warnings that mean a broken bundle; show the rest. */
function onwarn(warning, show) {
  if (['UNRESOLVED_IMPORT', 'MISSING_EXPORT', 'MISSING_NODE_BUILTINS', 'MISSING_GLOBAL_NAME'].includes(warning.code)) {
    throw new Error(`rollup: ${warning.message}`);
  }
  show(warning);
}

/** An entry that must exist: a missing one fails the build with a clear message instead of being skipped. */
function required(file) {
  if (!existsSync(new URL(`./${file}`, import.meta.url))) throw new Error(`rollup: missing entry ${file}`);
  return file;
}
const optional = (file) => existsSync(new URL(`./${file}`, import.meta.url));

const browser = () => [nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.ts', '.tsx', '.json'] }), compile(BROWSER_TARGET)];

/** Lazy chunks by name (`dist/chunks/<name>.js`) and the entry each is built from. */
const CHUNK_ENTRIES = {
  sensors: 'runtime/sensors/entry.ts',
  outbox: 'runtime/outbox.ts',
  actions: 'runtime/actions/entry.ts',
  renderer: 'runtime/renderer/entry.ts',
  promotions: 'runtime/features/promotions.ts',
  time: 'runtime/features/time.ts',
  variants: 'runtime/features/variants.ts',
  goals: 'runtime/features/goals.ts',
  segments: 'runtime/features/segments.ts',
  channel: 'runtime/features/channel.ts',
  commerce: 'runtime/features/commerce.ts',
  enrollment: 'runtime/features/enrollment.ts',
};
const CHUNKS = Object.keys(CHUNK_ENTRIES);

/**
 * The script tag imports its chunks as `chunks/<name>.js?v=<release>`, so chunks can be cached for a year and a
 * release still reaches every visitor. Chunks are built first; the release is the first 48 bits of the SHA-256 of
 * all of them (in base64url, 8 characters). One version for all chunks, not one per chunk: a release that changes
 * one chunk makes every visitor fetch the others again once, but the script tag, which every visitor downloads,
 * carries 8 characters instead of a table of one hash per chunk (130 B gzip less).
 */
const chunkVersions = () => ({
  name: 'chunk-versions',
  transform(code, id) {
    if (!id.endsWith('runtime/index.ts')) return null;
    const hash = createHash('sha256');
    for (const name of CHUNKS) {
      const file = new URL(`./dist/chunks/${name}.js`, import.meta.url);
      if (existsSync(file)) hash.update(name).update(readFileSync(file));
    }
    const marker = "typeof __WORKFLOWS_RELEASE__ == 'string' ? __WORKFLOWS_RELEASE__ : ''";
    if (!code.includes(marker)) this.error('runtime/index.ts no longer reads the chunks\' release');
    return code.replace(marker, JSON.stringify(hash.digest('base64url').slice(0, 8)));
  },
});

/**
 * V8's explicit compile hint: the browser compiles every function of the file while it downloads, off the main
 * thread, instead of on each function's first call on the main thread. The script tag and each chunk are fetched
 * only to run at once, so nothing is compiled for nothing; on a first visit (no code cache yet) this roughly
 * halves the script's main-thread time (docs/benchmarks.md). Browsers without the hint read a comment.
 */
const compileHint = () => ({
  name: 'compile-hint',
  renderChunk: (code) => ({ code: `//# allFunctionsCalledOnLoad\n${code}`, map: null }),
});

const scriptTag = () => ({
  input: required('runtime/entry.ts'),
  plugins: [chunkVersions(), ...browser()],
  onwarn,
  output: { file: 'dist/workflows.js', format: 'iife', strict: true, plugins: [minify(), compileHint()] },
});

/** A lazy chunk: an ES module the runtime fetches with import() from beside its own script. */
const chunk = (name, entry) => optional(entry) && {
  input: entry,
  plugins: browser(),
  onwarn,
  output: { file: `dist/chunks/${name}.js`, format: 'es', plugins: [minify(), compileHint()] },
};

// For npm users: dependencies stay imports, their bundler dedupes them.
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const external = Object.keys(pkg.dependencies ?? {}).map((name) => new RegExp(`^${escape(name)}(/|$)`));

const model = () => ({
  input: required('src/index.ts'),
  plugins: browser(),
  external,
  onwarn,
  output: { file: 'dist/esm/index.js', format: 'es' },
});

const runtimeModule = () => optional('runtime/index.ts') && {
  input: 'runtime/index.ts',
  plugins: browser(),
  external,
  onwarn,
  output: { file: 'dist/esm/runtime.js', format: 'es' },
};

const cli = () => ({
  input: required('src/cli/main.ts'),
  plugins: [
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'], extensions: ['.mjs', '.js', '.ts', '.json'] }),
    compile('node20'),
  ],
  external: [...external, /^node:/, ...builtinModules],
  onwarn,
  output: { file: 'dist/cli.mjs', format: 'es', inlineDynamicImports: true },
});

const chunks = CHUNKS.map((name) => () => chunk(name, CHUNK_ENTRIES[name]));
const builds = process.env.ONLY === 'cli' ? [cli] : [...chunks, scriptTag, model, runtimeModule, cli];
export default builds.map((build) => build()).filter(Boolean);
