/** Reading authoring files named on the command line: files as given, folders as their `*.json` files. */
import { parseJson } from '../exchange/json.js';
import type { Problem } from '../model/problems.js';
import { AUTHORING_FORMAT } from '../model/types.js';
import type { SourceFile } from '../validate/validate.js';
import type { CliIo } from './io.js';


export interface Loaded {
  /** `file` is the path as shown in messages: as typed, or folder + name. */
  files: SourceFile[];
  /** Unreadable paths, bad JSON. */
  problems: Problem[];
}

/**
 * Folders are read one level deep (sub-folders are ignored), `*.json` only, hidden files skipped, in name
 * order. `skip` holds paths (as resolved by `same`) to leave out, such as the compiler's own output.
 */
export async function loadSources(io: CliIo, paths: readonly string[], skip: (path: string) => boolean = () => false): Promise<Loaded> {
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  const problem = (file: string, message: string) => problems.push({ file, pointer: '', message, severity: 'error' });
  for (const path of paths) {
    const kind = await io.kind(path);
    if (kind === 'missing') {
      problem(path, 'no such file or folder');
      continue;
    }
    let names = [path];
    if (kind === 'directory') {
      const entries = (await io.readDir(path)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
      names = [];
      for (const n of entries) {
        const full = joinPath(path, n);
        // Sub-folders are left out; a link to nothing is kept, so reading it says what is wrong.
        if (!skip(full) && (await io.kind(full)) !== 'directory') names.push(full);
      }
      if (!names.length) problem(path, 'the folder has no .json files');
    }
    for (const name of names) {
      const read = await readJson(io, name);
      if (read.ok) files.push({ file: name, doc: read.value });
      else problems.push(read.problem);
    }
  }
  return { files, problems };
}

export async function readJson(io: CliIo, path: string): Promise<{ ok: true; value: unknown; text: string } | { ok: false; problem: Problem }> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (e) {
    return { ok: false, problem: { file: path, pointer: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, severity: 'error' } };
  }
  const json = parseJson(text, path);
  return json.ok ? { ok: true, value: json.value, text } : json;
}

/**
 * Whether a parsed file is an authoring document: it says so, or (every key being optional) it has no format and
 * holds what only an authoring document holds. A compiled bundle or exchange file names its own format.
 */
export function isAuthoringDocument(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const doc = value as Record<string, unknown>;
  if (doc.format !== undefined) return doc.format === AUTHORING_FORMAT;
  return ['workflows', 'promotions', 'segments', 'apps', 'site'].some((key) => key in doc);
}

export function joinPath(folder: string, name: string): string {
  if (folder === '.' || folder === './') return name;
  return folder.endsWith('/') ? folder + name : `${folder}/${name}`;
}
