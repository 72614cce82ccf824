#!/usr/bin/env node
// The `workflows` command. The CLI is bundled into dist/cli.mjs (by `npm run build`, or `prepare` on install);
// it exports `main(argv)`, which returns the exit status.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.mjs', import.meta.url);

let main;
try {
  ({ main } = await import(cli.href));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(cli))) {
    process.stderr.write('workflows: the CLI is not built yet; run "npm run build"\n');
    process.exit(2);
  }
  throw error;
}
process.exitCode = await main(process.argv.slice(2));
