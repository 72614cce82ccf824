/** Printing problems the one way the whole product does: `file: /json/pointer: message`. */
import { formatProblem, type Problem } from '../model/problems.js';
import type { CliIo } from './io.js';

/** Prints every problem to stderr, errors and warnings in the order found; returns the error count. */
export function printProblems(io: CliIo, problems: readonly Problem[]): number {
  for (const p of problems) io.stderr(formatProblem(p) + '\n');
  return problems.filter((p) => p.severity === 'error').length;
}

export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** "2 errors, 1 warning" */
export function tally(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return [plural(errors, 'error'), ...(warnings ? [plural(warnings, 'warning')] : [])].join(', ');
}

export function usageError(io: CliIo, command: string, message: string): number {
  io.stderr(`workflows ${command}: ${message}\nRun "workflows ${command} --help" for usage.\n`);
  return 2;
}
