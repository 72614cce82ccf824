/**
 * JSON parsing that says where a file is broken. `JSON.parse` messages differ between engines and often carry
 * no position, so on failure a small scanner finds the first bad character and reports its line and column.
 */
import type { Problem } from '../model/problems.js';

export type JsonResult = { ok: true; value: unknown } | { ok: false; problem: Problem };

export interface JsonError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
}

export function parseJson(text: string, file?: string): JsonResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors on Windows add a BOM
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    if (!body.trim()) return { ok: false, problem: { pointer: '', message: 'the file is empty; expected JSON', severity: 'error', ...(file ? { file } : {}) } };
    const e = locateJsonError(body);
    const message = `not valid JSON: line ${e.line}, column ${e.column}: ${e.message}`;
    return { ok: false, problem: { pointer: '', message, severity: 'error', ...(file ? { file } : {}) } };
  }
}

/** Where and why `text` is not JSON. Only meaningful for text that `JSON.parse` refused. */
export function locateJsonError(text: string): JsonError {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { offset: at });
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
      for (;;) {
        space();
        if (text[i] !== '"') fail(`expected a property name in double quotes but found ${found()}`);
        string();
        space();
        if (text[i] !== ':') fail(`expected ":" after the property name but found ${found()}`);
        i++;
        value(depth + 1);
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
      for (;;) {
        value(depth + 1);
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
    return { ...position(text, text.length), message: 'not valid JSON' };
  } catch (e) {
    const offset = (e as { offset?: number }).offset ?? i;
    return { ...position(text, offset), message: (e as Error).message };
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
