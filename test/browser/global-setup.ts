/**
 * Builds every `test/browser/fixtures/*.ts` into `examples/site/test/<name>.js` (IIFE, unminified) so browser
 * tests can load one runtime module on a test page without the whole script-tag bundle.
 */
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

export default async function globalSetup(): Promise<void> {
  const dir = new URL('./fixtures/', import.meta.url);
  const entries = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  await Promise.all(
    entries.map((f) =>
      build({
        entryPoints: [new URL(f, dir).pathname],
        outfile: new URL(`../../examples/site/test/${f.replace(/\.ts$/, '.js')}`, import.meta.url).pathname,
        bundle: true,
        format: 'iife',
        target: 'es2020',
        platform: 'browser',
        logLevel: 'warning',
      }),
    ),
  );
}
