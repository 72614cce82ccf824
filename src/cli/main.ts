/// <reference types="node" />
/**
 * `workflows` — the command line: templates, validate, compile, export, import.
 * `main` runs in-process (tests pass their own io) and returns the exit status instead of exiting.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closest } from '../model/suggest.js';
import { COMMANDS } from './commands.js';
import { HELP, USAGE } from './help.js';
import { nodeIo, type CliIo } from './io.js';

export type { CliIo };

export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli = nodeIo(io);
  const [command, ...rest] = argv;
  if (command === undefined) {
    cli.stderr(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h') {
    cli.stdout(USAGE);
    return 0;
  }
  if (command === 'help') {
    const topic = rest[0];
    cli.stdout(topic && HELP[topic] ? HELP[topic] : USAGE);
    return topic && !HELP[topic] ? 2 : 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    const near = closest(command, Object.keys(COMMANDS));
    cli.stderr(`workflows: unknown command "${command}"${near ? `; did you mean "${near}"?` : ''}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(cli, rest);
  } catch (e) {
    // Reaching here is a bug or an I/O failure: say what happened without a stack trace for users.
    cli.stderr(`workflows ${command}: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

function runDirectly(): boolean {
  try {
    const script = process.argv[1];
    return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (typeof process !== 'undefined' && runDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => void (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`workflows: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
