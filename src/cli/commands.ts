/// <reference types="node" />
/** The CLI's commands. Each returns its exit status: 0 done, 1 problems found, 2 wrong usage. */
import { dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compileProject } from '../compile/compile.js';
import { ExchangeError, exportWorkflow, importExchange, parseExchange, type ImportMode } from '../exchange/index.js';
import type { Problem } from '../model/problems.js';
import { closest } from '../model/suggest.js';
import { AUTHORING_FORMAT, AUTHORING_VERSION, type AuthoringDocument } from '../model/types.js';
import { getTemplate, listTemplates, templateDocument } from '../templates/index.js';
import { validateProject } from '../validate/validate.js';
import { parseArgs, type OptionSpec } from './args.js';
import { HELP } from './help.js';
import type { CliIo } from './io.js';
import { isAuthoringDocument, loadSources, readJson } from './load.js';
import { plural, printProblems, tally, usageError } from './report.js';

const HELP_OPTION: Record<string, OptionSpec> = { help: { value: false, aliases: ['-h'] } };
const OUTPUT_OPTION: Record<string, OptionSpec> = { output: { value: true, aliases: ['-o'] } };

type Command = (io: CliIo, argv: readonly string[]) => Promise<number>;

export const COMMANDS: Record<string, Command> = { templates, validate, compile, export: exportCommand, import: importCommand };

/** Writes a result file atomically; says why when it cannot. */
async function writeOut(io: CliIo, path: string, text: string, what: string): Promise<boolean> {
  // Renaming onto "dist/" would create a file named "dist" where the user meant a folder.
  if (/[\\/]$/.test(path) || (await io.kind(path)) === 'directory') {
    io.stderr(`${path}: cannot write the ${what}: this is a folder; name a file inside it\n`);
    return false;
  }
  try {
    await io.writeFile(path, text);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOENT alone does not say which part is missing: the usual cause is a folder not made yet.
    const folder = dirname(path);
    const why =
      code === 'ENOENT' && (await io.kind(folder)) === 'missing'
        ? `: the folder "${folder}" does not exist; create it first`
        : ` (${code ?? (e as Error).message})`;
    io.stderr(`${path}: cannot write the ${what}${why}\n`);
    return false;
  }
}

/**
 * A bundle or exchange file written over an authoring document would destroy the designer's work (a typo in -o,
 * or the output pointed at one of the sources): say so instead of writing.
 */
async function overwritesAuthoring(io: CliIo, path: string, what: string): Promise<Problem | undefined> {
  if ((await io.kind(path)) !== 'file') return undefined;
  const read = await readJson(io, path);
  if (!read.ok || !isAuthoringDocument(read.value)) return undefined;
  return { file: path, pointer: '', severity: 'error', message: `this is an authoring document; writing the ${what} here would replace it: choose another output file` };
}

/** Parses the command's options, answering --help and usage errors itself. */
function options(io: CliIo, command: string, argv: readonly string[], spec: Record<string, OptionSpec>) {
  const parsed = parseArgs(argv, { ...HELP_OPTION, ...spec });
  if (!parsed.ok) return { exit: usageError(io, command, parsed.message) };
  if (parsed.options.help) {
    io.stdout(HELP[command]!);
    return { exit: 0 };
  }
  return { positionals: parsed.positionals, options: parsed.options as Record<string, string | undefined> };
}

// ------------------------------------------------------------------------------------ templates

async function templates(io: CliIo, argv: readonly string[]): Promise<number> {
  const a = options(io, 'templates', argv, { ...OUTPUT_OPTION, json: { value: false } });
  if ('exit' in a) return a.exit!;
  const [sub, id, ...rest] = a.positionals;
  if (sub === undefined) {
    if (a.options.output) return usageError(io, 'templates', '-o is only for "templates new"');
    const list = listTemplates();
    if (a.options.json) {
      io.stdout(JSON.stringify(list, null, 2) + '\n');
      return 0;
    }
    const rows = [['ID', 'CATEGORY', 'NAME'], ...list.map((t) => [t.id, t.category, t.name])];
    const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) io.stdout(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}\n`);
    return 0;
  }
  if (sub !== 'new') return usageError(io, 'templates', `unknown subcommand "${sub}"; did you mean "templates new ${sub}"?`);
  if (id === undefined) return usageError(io, 'templates', 'name the template: workflows templates new <template-id>');
  if (rest.length) return usageError(io, 'templates', `unexpected argument "${rest[0]}"`);
  if (!getTemplate(id)) {
    const ids = listTemplates().map((t) => t.id);
    const near = closeIds(id, ids);
    io.stderr(
      `workflows templates: there is no template "${id}"` +
        (near.length ? `; did you mean: ${near.join(', ')}?` : '; run "workflows templates" to list them') +
        '\n',
    );
    return 1;
  }
  const text = JSON.stringify(templateDocument(id), null, 2) + '\n';
  const out = a.options.output;
  if (!out || out === '-') {
    io.stdout(text);
    return 0;
  }
  if ((await io.kind(out)) !== 'missing') {
    io.stderr(`${out}: already exists; choose another name or remove it first\n`);
    return 1;
  }
  if (!(await writeOut(io, out, text, 'document'))) return 1;
  io.stdout(`wrote ${out} from template "${id}" (the workflow is a draft)\n`);
  return 0;
}

/** Ids that look like what was typed: close by edit distance, or sharing a word with it. */
export function closeIds(input: string, ids: readonly string[]): string[] {
  const words = input.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2);
  const sharesWord = (id: string) => words.some((w) => id.split('-').some((part) => part.startsWith(w) || (part.length > 2 && w.startsWith(part))));
  const near = ids.filter((id) => id.includes(input.toLowerCase()) || sharesWord(id));
  const best = closest(input, ids);
  return [...new Set([...(best ? [best] : []), ...near])].slice(0, 5);
}

// ------------------------------------------------------------------------------------ validate

async function validate(io: CliIo, argv: readonly string[]): Promise<number> {
  const a = options(io, 'validate', argv, {});
  if ('exit' in a) return a.exit!;
  if (!a.positionals.length) return usageError(io, 'validate', 'name at least one file or folder');
  const loaded = await loadSources(io, a.positionals);
  const problems = [...loaded.problems, ...validateProject(loaded.files)];
  const errors = printProblems(io, problems);
  if (errors) {
    // The files the problems are in, so "2 errors in 1 file" points at the one file to open.
    io.stderr(`${tally(problems)} in ${plural(new Set(problems.map((p) => p.file)).size, 'file')}\n`);
    return 1;
  }
  const count = (key: 'workflows' | 'promotions') =>
    loaded.files.reduce((n, f) => n + (Array.isArray((f.doc as AuthoringDocument)?.[key]) ? (f.doc as AuthoringDocument)[key]!.length : 0), 0);
  const warned = problems.length ? ` (${plural(problems.length, 'warning')})` : '';
  io.stdout(`ok: ${plural(count('workflows'), 'workflow')}, ${plural(count('promotions'), 'promotion')}${warned}\n`);
  return 0;
}

// ------------------------------------------------------------------------------------ compile

async function compile(io: CliIo, argv: readonly string[]): Promise<number> {
  const a = options(io, 'compile', argv, OUTPUT_OPTION);
  if ('exit' in a) return a.exit!;
  if (!a.positionals.length) return usageError(io, 'compile', 'name the authoring files or folder to compile');
  const out = a.options.output;
  if (!out) return usageError(io, 'compile', 'say where the bundle goes: -o <out.json> (or -o - for stdout)');
  const outPath = out === '-' ? undefined : resolve(io.cwd, out);
  const clobber = outPath && (await overwritesAuthoring(io, out, 'bundle'));
  if (clobber) {
    printProblems(io, [clobber]);
    io.stderr(`nothing written: ${tally([clobber])}\n`);
    return 1;
  }
  const loaded = await loadSources(io, a.positionals, (p) => resolve(io.cwd, p) === outPath);
  if (loaded.problems.length) {
    printProblems(io, loaded.problems);
    io.stderr(`nothing written: ${tally(loaded.problems)}\n`);
    return 1;
  }
  const result = compileProject(loaded.files);
  if (!result.ok) {
    printProblems(io, result.problems);
    io.stderr(`nothing written: ${tally(result.problems)}\n`);
    return 1;
  }
  printProblems(io, result.warnings);
  const text = JSON.stringify(result.bundle);
  const bytes = Buffer.byteLength(text);
  const gzip = gzipSync(text, { level: 9 }).length;
  const b = result.bundle;
  const summary =
    `${plural(b.workflows.length, 'active workflow')}, ${plural(Object.keys(b.promotions).length, 'promotion')}: ` +
    `${plural(bytes, 'byte')} (${gzip.toLocaleString('en-US')} gzipped), hash ${b.hash}`;
  if (out === '-') {
    io.stdout(text + '\n');
    io.stderr(`compiled ${summary}\n`);
    return 0;
  }
  if (!(await writeOut(io, out, text + '\n', 'bundle'))) return 1;
  io.stdout(`wrote ${out}: ${summary}\n`);
  return 0;
}

// ------------------------------------------------------------------------------------ export / import

async function exportCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const a = options(io, 'export', argv, { ...OUTPUT_OPTION, workflow: { value: true, aliases: ['-w'] } });
  if ('exit' in a) return a.exit!;
  if (a.positionals.length !== 1) return usageError(io, 'export', 'name one authoring file or folder');
  const id = a.options.workflow;
  if (!id) return usageError(io, 'export', 'say which workflow: --workflow <id>');
  const loaded = await loadSources(io, a.positionals);
  if (loaded.problems.length) {
    printProblems(io, loaded.problems);
    return 1;
  }
  let text: string;
  let summary: string;
  try {
    const file = exportWorkflow(id, loaded.files.map((f) => f.doc as AuthoringDocument), { exportedAt: io.now() });
    text = JSON.stringify(file, null, 2) + '\n';
    summary =
      `workflow "${id}" with ${plural(file.promotions.length, 'promotion')}, ${plural(file.segments.length, 'segment')}, ` +
      `${plural(file.apps.length, 'app')}` +
      (file.references.workflows.length ? `; it also refers to workflows not included: ${file.references.workflows.join(', ')}` : '');
  } catch (e) {
    if (!(e instanceof ExchangeError)) throw e;
    printProblems(io, e.problems.map((p) => ({ ...p, file: a.positionals[0]! })));
    return 1;
  }
  const out = a.options.output;
  if (!out || out === '-') {
    io.stdout(text);
    io.stderr(`exported ${summary}\n`);
    return 0;
  }
  const clobber = await overwritesAuthoring(io, out, 'exchange file');
  if (clobber) {
    printProblems(io, [clobber]);
    return 1;
  }
  if (!(await writeOut(io, out, text, 'exchange file'))) return 1;
  io.stdout(`exported ${summary} -> ${out}\n`);
  return 0;
}

async function importCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const a = options(io, 'import', argv, { ...OUTPUT_OPTION, into: { value: true, aliases: ['-i'] }, as: { value: true } });
  if ('exit' in a) return a.exit!;
  if (a.positionals.length !== 1) return usageError(io, 'import', 'name one exchange file (.jst)');
  const into = a.options.into;
  if (!into) return usageError(io, 'import', 'say which authoring document to import into: --into <authoring.json>');
  const mode = (a.options.as ?? 'copy') as ImportMode;
  if (mode !== 'copy' && mode !== 'update') return usageError(io, 'import', `--as must be copy or update, not "${mode}"`);

  const source = a.positionals[0]!;
  let jst: string;
  try {
    jst = await io.readFile(source);
  } catch (e) {
    printProblems(io, [{ file: source, pointer: '', severity: 'error', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
    return 1;
  }
  const parsed = parseExchange(jst, source);
  if (!parsed.ok) {
    printProblems(io, parsed.problems);
    io.stderr('nothing imported\n');
    return 1;
  }

  let project: AuthoringDocument;
  let created = false;
  let style = { bom: '', eol: '\n' };
  if ((await io.kind(into)) === 'missing') {
    project = { format: AUTHORING_FORMAT, version: AUTHORING_VERSION, workflows: [], promotions: [], segments: [], apps: [] };
    created = true;
  } else {
    const read = await readJson(io, into);
    if (!read.ok) {
      printProblems(io, [read.problem]);
      io.stderr('nothing imported\n');
      return 1;
    }
    project = read.value as AuthoringDocument;
    // Rewrite it the way it was written, so an editor or version control on Windows sees only the change.
    style = { bom: read.text.charCodeAt(0) === 0xfeff ? '\ufeff' : '', eol: read.text.includes('\r\n') ? '\r\n' : '\n' };
  }

  const result = importExchange(parsed.file, project, mode, { file: into });
  const warnings: Problem[] = [...parsed.warnings];
  if (!result.ok) {
    printProblems(io, [...warnings, ...result.problems]);
    io.stderr('nothing imported\n');
    return 1;
  }
  printProblems(io, [...warnings, ...result.warnings]);
  const target = a.options.output ?? into;
  const text = style.bom + (JSON.stringify(result.document, null, 2) + '\n').replace(/\n/g, style.eol);
  const toStdout = target === '-';
  if (toStdout) io.stdout(text);
  else if (!(await writeOut(io, target, text, 'document'))) return 1;
  const renamed = Object.entries(result.renamed).map(([from, to]) => `${from} -> ${to}`);
  (toStdout ? io.stderr : io.stdout)(
    `imported "${parsed.file.workflow.name}" as draft workflow "${result.workflowId}" (${mode})` +
      `${parsed.migratedFrom !== undefined ? ` from a version ${parsed.migratedFrom} file` : ''} into ${toStdout ? 'stdout' : target}${created && target === into ? ' (new file)' : ''}\n` +
      (renamed.length ? `renamed: ${renamed.join(', ')}\n` : ''),
  );
  return 0;
}
