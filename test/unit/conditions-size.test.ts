// @vitest-environment node
// The condition runtime ships in the script-tag core (its time readers in the `time` chunk): its bundle is measured
// the way the size budget is (`export { check }` bundled and minified by esbuild, gzip -9), so that it cannot grow
// unnoticed.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

/** Bytes (gzip -9) of the runtime today; lower it when the runtime shrinks. */
const BUDGET = 1250;

it(`the condition runtime bundles to at most ${BUDGET} bytes gzip, and only run.ts is in it`, async () => {
  const out = await build({
    stdin: { contents: "export { check } from './src/conditions/run.js'", resolveDir: new URL('../../', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    metafile: true,
  });
  const size = gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
  expect(Object.keys(out.metafile.inputs).filter((f) => !f.startsWith('<stdin>'))).toEqual(['src/conditions/run.ts']);
  expect(size).toBeLessThanOrEqual(BUDGET);
});
