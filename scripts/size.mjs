// Sizes of what visitors download: dist/workflows.js and dist/chunks/*.js, raw / gzip -9 / brotli q11.
// Usage: node scripts/size.mjs [--check]   (--check: exit 1 when a budgeted bundle is over budget or missing, or a
// shipped file lacks the compile hint rollup.config.mjs puts on its first line)
//
// Budgets live in scripts/size-budgets.json, in bytes: { "<file>": { "raw"?, "gzip"?, "brotli"?, "entry"? } }.
// `entry` is the source the bundle is built from: a budgeted bundle whose entry does not exist yet (a lazy
// chunk still to be written) is listed as not built instead of failing the check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const exists = (file) => existsSync(new URL(file, root));
const budgets = JSON.parse(readFileSync(new URL('scripts/size-budgets.json', root), 'utf8'));
const check = process.argv.includes('--check');
const KINDS = ['raw', 'gzip', 'brotli'];

const chunks = exists('dist/chunks/') ? readdirSync(new URL('dist/chunks/', root)).filter((f) => f.endsWith('.js')) : [];
const files = [...new Set(['dist/workflows.js', ...chunks.sort().map((f) => `dist/chunks/${f}`), ...Object.keys(budgets)])];

function measure(file) {
  const bytes = readFileSync(new URL(file, root));
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const rows = [];
const problems = [];
for (const file of files) {
  const budget = budgets[file] ?? {};
  const limits = KINDS.filter((kind) => typeof budget[kind] === 'number');
  const budgetText = limits.map((kind) => `${kind} ${budget[kind]}`).join(', ');
  if (!exists(file)) {
    let status = 'missing';
    if (budget.entry && !exists(budget.entry)) status = `not built: no ${budget.entry} yet`;
    else if (limits.length) problems.push(`${file}: missing (it has a budget; run the build, and check it did not skip it)`);
    rows.push([file, '-', '-', '-', budgetText, status]);
    continue;
  }
  // Each shipped browser file carries V8's compile hint on its first line (rollup.config.mjs says why).
  if (!readFileSync(new URL(file, root), 'utf8').startsWith('//# allFunctionsCalledOnLoad\n')) problems.push(`${file}: lacks the compile hint on its first line`);
  const size = measure(file);
  let status = limits.length ? 'ok' : '';
  for (const kind of limits) {
    if (size[kind] > budget[kind]) {
      status = 'OVER BUDGET';
      problems.push(`${file}: ${kind} ${size[kind]} B is ${size[kind] - budget[kind]} B over its budget of ${budget[kind]} B`);
    }
  }
  rows.push([file, size.raw, size.gzip, size.brotli, budgetText, status]);
}

const header = ['file', 'raw', 'gzip', 'brotli', 'budget', ''];
const table = [header, ...rows].map((row) => row.map(String));
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
const numeric = (i) => i >= 1 && i <= 3;
for (const row of table) {
  console.log(row.map((cell, i) => (numeric(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
for (const problem of problems) console.error(`size: ${problem}`);
if (check && problems.length) process.exit(1);
