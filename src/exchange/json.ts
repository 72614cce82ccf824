/**
 * JSON parsing that says where a file is broken. `JSON.parse` messages differ between engines and often carry
 * no position, so on failure a small scanner finds the first bad character and reports its line and column.
 */
import { pointer, type Problem } from '../model/problems.js';

export type JsonResult = { ok: true; value: unknown } | { ok: false; problem: Problem };

export interface JsonError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
}

export function parseJson(text: string, file?: string): JsonResult {
  const refuse = (pointer: string, message: string): JsonResult => ({ ok: false, problem: { pointer, message, severity: 'error', ...(file ? { file } : {}) } });
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors on Windows add a BOM
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    if (!body.trim()) return refuse('', 'the file is empty; expected JSON');
    const e = locateJsonError(body);
    return refuse('', `not valid JSON: line ${e.line}, column ${e.column}: ${e.message}`);
  }
  // JSON.parse keeps the last of two equal keys: a hand-edited file (two documents pasted together) would lose the
  // first without a word.
  const twice = scan(body, true);
  return twice?.pointer !== undefined ? refuse(twice.pointer, twice.message) : { ok: true, value };
}

/** Where and why `text` is not JSON. Only meaningful for text that `JSON.parse` refused. */
export function locateJsonError(text: string): JsonError {
  return scan(text, false) ?? { ...position(text, text.length), message: 'not valid JSON' };
}

/**
 * The first thing wrong in `text`, or undefined. With `keysTwice`, a key written twice in one object is wrong
 * too, and is returned with the JSON pointer of that key.
 */
function scan(text: string, keysTwice: boolean): (JsonError & { pointer?: string }) | undefined {
  let i = 0;
  const path: (string | number)[] = [];
  const fail = (message: string, at = i, pointer?: string): never => {
    throw Object.assign(new Error(message), { offset: at, pointer });
  };
  const found = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) fail(`expected "${word}" but found ${found()}`);
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('this text is never closed with a double quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail('a line break or control character inside text; write it as \\n');
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by four hex digits', i + 2);
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail(`unknown escape \\${next ?? ''}`, i + 1);
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`expected a number but found ${found()}`);
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 2000) fail('nested too deeply');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      const keys = new Set<string>();
      for (;;) {
        space();
        if (text[i] !== '"') fail(`expected a property name in double quotes but found ${found()}`);
        const keyAt = i;
        string();
        if (keysTwice) {
          const key = JSON.parse(text.slice(keyAt, i)) as string;
          if (keys.has(key)) {
            const { line, column } = position(text, keyAt);
            const message = `${JSON.stringify(key)} is written twice in this object (the second at line ${line}, column ${column}); JSON keeps only the last one, so the first would be lost: merge them or remove one`;
            fail(message, keyAt, pointer(...path, key));
          }
          keys.add(key);
          path.push(key);
        }
        space();
        if (text[i] !== ':') fail(`expected ":" after the property name but found ${found()}`);
        i++;
        value(depth + 1);
        if (keysTwice) path.pop();
        space();
        if (text[i] === ',') {
          const comma = i++;
          space();
          if (text[i] === '}') fail('a comma before "}" (trailing commas are not allowed in JSON)', comma);
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(`expected "," or "}" but found ${found()}`);
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (let index = 0; ; index++) {
        if (keysTwice) path.push(index);
        value(depth + 1);
        if (keysTwice) path.pop();
        space();
        if (text[i] === ',') {
          const comma = i++;
          space();
          if (text[i] === ']') fail('a comma before "]" (trailing commas are not allowed in JSON)', comma);
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(`expected "," or "]" but found ${found()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === "'") fail('text must use double quotes, not single quotes');
    if (c === '/') fail('comments are not allowed in JSON');
    fail(i >= text.length ? 'the file ends where a value was expected' : `expected a value but found ${found()}`);
  };
  try {
    value(0);
    space();
    if (i < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    const { offset = i, pointer: at } = e as { offset?: number; pointer?: string };
    return { ...position(text, offset), message: (e as Error).message, ...(at !== undefined ? { pointer: at } : {}) };
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1 };
}
