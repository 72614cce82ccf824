/// <reference types="node" />
/** What the CLI touches in the outside world, so tests can run it in-process against temp folders. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Relative paths are read from here. */
  cwd: string;
  readFile(path: string): Promise<string>;
  /** Replaces the file atomically: a reader sees the old content or the new, never a part. */
  writeFile(path: string, text: string): Promise<void>;
  /** Names in a folder. */
  readDir(path: string): Promise<string[]>;
  /** What is at a path. */
  kind(path: string): Promise<'file' | 'directory' | 'missing'>;
  now(): Date;
}

export function nodeIo(overrides: Partial<CliIo> = {}): CliIo {
  if (!overrides.stdout) stopQuietlyWhenPipeCloses();
  const cwd = overrides.cwd ?? process.cwd();
  const at = (p: string) => resolve(cwd, p);
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readFile: (p) => fs.readFile(at(p), 'utf8'),
    writeFile: (p, text) => writeAtomically(at(p), text),
    readDir: (p) => fs.readdir(at(p)),
    kind: async (p) => {
      try {
        const s = await fs.stat(at(p));
        return s.isDirectory() ? 'directory' : 'file';
      } catch {
        return 'missing';
      }
    },
    now: () => new Date(),
    ...overrides,
    cwd,
  };
}

let watchingPipe = false;

/**
 * `workflows compile site -o - | head` closes the pipe while the bundle is still being written: stop quietly, as
 * other command-line tools do, instead of crashing with a stack trace.
 */
function stopQuietlyWhenPipeCloses(): void {
  if (watchingPipe) return;
  watchingPipe = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

/**
 * Writes a temporary file beside the target, then renames it over the target (atomic on one file system). A target
 * that is a link is followed, so the file it points at is replaced and the link stays (a deploy that links
 * `public/workflows.json` into a release folder keeps working); the replaced file's permissions are kept.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const target = await fs.realpath(path).catch(() => path);
  const mode = await fs.stat(target).then((s) => s.mode & 0o7777, () => undefined);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    if (mode !== undefined) await fs.chmod(temp, mode);
    await fs.rename(temp, target);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}
