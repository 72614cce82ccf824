// @vitest-environment node
// The evaluator ships in the script-tag core: its bundle is measured the way the size budget is
// (`export { evaluate }` bundled and minified by esbuild, gzip -9), so that it cannot grow unnoticed.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

/** Bytes (gzip -9) of the evaluator today; lower it when the evaluator shrinks. The core's target is 2,000. */
const BUDGET = 3700;

it(`the evaluator bundles to at most ${BUDGET} bytes gzip, and only evaluate.ts is in it`, async () => {
  const out = await build({
    stdin: { contents: "export { evaluate } from './src/conditions/evaluate.js'", resolveDir: new URL('../../', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    metafile: true,
  });
  const size = gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
  expect(Object.keys(out.metafile.inputs).filter((f) => !f.startsWith('<stdin>'))).toEqual(['src/conditions/evaluate.ts']);
  expect(size).toBeLessThanOrEqual(BUDGET);
});
