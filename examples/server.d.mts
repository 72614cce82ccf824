// Types for examples/server.mjs, for the tests that import it.
import type { Server } from 'node:http';

export interface CompiledBundleLike {
  hash: string;
  workflows: unknown[];
}
export interface ServerProblem {
  file?: string;
  pointer: string;
  message: string;
}

export function formatProblem(problem: ServerProblem): string;
export function compileExamples(
  dir?: string,
): Promise<{ ok: true; bundle: CompiledBundleLike; warnings?: ServerProblem[] } | { ok: false; problems: ServerProblem[] }>;
export function createDemoServer(options: { bundle: CompiledBundleLike }): Server;
export function inside(base: string, relative: string): string | null;
