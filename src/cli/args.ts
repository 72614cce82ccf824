/** A small argument parser: positionals, `--name value`, `--name=value`, `-o value`, and flags. */

export interface OptionSpec {
  /** Takes a value (`--workflow id`) or is a flag (`--help`). */
  value: boolean;
  /** Other spellings, e.g. `-o` for `--output`. */
  aliases?: string[];
}

export type Parsed =
  | { ok: true; positionals: string[]; options: Record<string, string | true> }
  | { ok: false; message: string };

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const names = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) {
    names.set(`--${name}`, name);
    for (const alias of s.aliases ?? []) names.set(alias, name);
  }
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A lone "-" is a positional (stdout/stdin); everything else starting with "-" is an option.
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = names.get(flag);
    if (!name) return { ok: false, message: `unknown option ${flag}` };
    if (!spec[name]!.value) {
      if (eq > 0) return { ok: false, message: `${flag} takes no value` };
      options[name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return { ok: false, message: `${flag} needs a value` };
    if (options[name] !== undefined) return { ok: false, message: `${flag} is given twice` };
    options[name] = value;
  }
  return { ok: true, positionals, options };
}
