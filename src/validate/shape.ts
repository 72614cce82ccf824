/** Small checks for untrusted JSON: each records a Problem at an exact pointer and never throws. */
import { ID_PATTERN } from '../model/types.js';
import { pointerSegment, type Problem } from '../model/problems.js';
import { didYouMean } from '../model/suggest.js';

export type Obj = Record<string, unknown>;

/** Where problems go; `file` is stamped on each. */
export interface Out {
  problems: Problem[];
  file?: string;
}

export function error(out: Out, at: string, message: string): void {
  out.problems.push({ pointer: at, message, severity: 'error', ...(out.file ? { file: out.file } : {}) });
}

export function warn(out: Out, at: string, message: string): void {
  out.problems.push({ pointer: at, message, severity: 'warning', ...(out.file ? { file: out.file } : {}) });
}

export function at(base: string, ...keys: (string | number)[]): string {
  return base + keys.map((k) => '/' + pointerSegment(k)).join('');
}

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function object(out: Out, v: unknown, where: string, what: string): Obj | undefined {
  if (isObject(v)) return v;
  error(out, where, `${what} must be an object, not ${describe(v)}`);
  return undefined;
}

export function list(out: Out, v: unknown, where: string, what: string): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  error(out, where, `${what} must be a list, not ${describe(v)}`);
  return undefined;
}

/** Unknown fields are errors: a typo in a field name would otherwise be silently ignored. */
export function onlyKeys(out: Out, obj: Obj, where: string, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      error(out, at(where, key), `unknown field "${key}" in ${what}${didYouMean(key, allowed)}`);
    }
  }
}

interface StringOpts {
  required?: boolean;
  pattern?: RegExp;
  patternHint?: string;
  maxLength?: number;
  nonEmpty?: boolean;
}

export function str(out: Out, obj: Obj, key: string, where: string, what: string, opts: StringOpts = {}): string | undefined {
  const v = obj[key];
  const p = at(where, key);
  if (v === undefined) {
    if (opts.required) error(out, p, `${what} is missing "${key}"`);
    return undefined;
  }
  if (typeof v !== 'string') {
    error(out, p, `"${key}" must be text, not ${describe(v)}`);
    return undefined;
  }
  if ((opts.required || opts.nonEmpty) && !v.trim()) {
    error(out, p, `"${key}" must not be empty`);
    return undefined;
  }
  if (opts.maxLength !== undefined && v.length > opts.maxLength) {
    error(out, p, `"${key}" is longer than ${opts.maxLength} characters`);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(v)) {
    error(out, p, `"${key}" ${JSON.stringify(v)} ${opts.patternHint ?? 'has the wrong form'}`);
    return undefined;
  }
  return v;
}

export function id(out: Out, obj: Obj, key: string, where: string, what: string, required = true): string | undefined {
  return str(out, obj, key, where, what, {
    required,
    pattern: ID_PATTERN,
    patternHint: 'is not a valid id: use 1-64 ASCII letters, digits, "_" or "-", starting with a letter or digit',
  });
}

interface NumberOpts {
  required?: boolean;
  min?: number;
  max?: number;
  integer?: boolean;
  /** The lower bound is exclusive. */
  positive?: boolean;
}

export function num(out: Out, obj: Obj, key: string, where: string, what: string, opts: NumberOpts = {}): number | undefined {
  const v = obj[key];
  const p = at(where, key);
  if (v === undefined) {
    if (opts.required) error(out, p, `${what} is missing "${key}"`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    error(out, p, `"${key}" must be a number, not ${describe(v)}`);
    return undefined;
  }
  if (opts.integer && !Number.isInteger(v)) return bad(`"${key}" must be a whole number`);
  if (opts.positive && v <= 0) return bad(`"${key}" must be more than 0`);
  if (opts.min !== undefined && v < opts.min) return bad(`"${key}" must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) return bad(`"${key}" must be at most ${opts.max}`);
  return v;
  function bad(message: string): undefined {
    error(out, p, message);
    return undefined;
  }
}

export function bool(out: Out, obj: Obj, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    error(out, at(where, key), `"${key}" must be true or false, not ${describe(v)}`);
    return undefined;
  }
  return v;
}

export function oneOf<T extends string>(
  out: Out,
  obj: Obj,
  key: string,
  where: string,
  what: string,
  values: readonly T[],
  required = true,
): T | undefined {
  const v = obj[key];
  const p = at(where, key);
  if (v === undefined) {
    if (required) error(out, p, `${what} is missing "${key}" (one of ${values.join(', ')})`);
    return undefined;
  }
  if (typeof v !== 'string' || !values.includes(v as T)) {
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    error(out, p, `"${key}" must be one of ${values.join(', ')}, not ${describe(v)}${hint}`);
    return undefined;
  }
  return v as T;
}

export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function timezone(out: Out, obj: Obj, key: string, where: string): string | undefined {
  const v = str(out, obj, key, where, 'time zone');
  if (v !== undefined && !validTimeZone(v)) {
    error(out, at(where, key), `"${v}" is not a known time zone; use an IANA name such as "Europe/Paris"`);
    return undefined;
  }
  return v;
}

/** An absolute http(s) URL; returns the URL when valid. */
export function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

export function isoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
}
