/**
 * Placeholders: `{{ path | fallback }}` in promotion text, webhook URLs and bodies, app fields. Pure: no DOM.
 *
 * Template data, as the runtime builds it: `{ visitor: { id, ...attributes }, attributes, form, workflow: { id,
 * step }, page: { url, path, title, referrer } }`. A path (`visitor.email`, `form.email`, `page.url`, or a bare
 * `first_name`) is read from the data, and when not found there from `data.attributes`.
 * A missing, null or empty value gives the fallback ('' without one). Only own properties are read, so
 * `{{__proto__}}` or `{{constructor.name}}` find nothing; nothing is ever evaluated.
 */
export type TemplateData = Record<string, unknown>;

const own = {}.hasOwnProperty;

/** The value at a dotted path, reading own properties only. */
export const get = (data: unknown, path: string): unknown =>
  path.split('.').reduce((v: any, k) => (v != null && own.call(v, k) ? v[k] : undefined), data);

/** Fills placeholders; `enc` escapes each substituted value (e.g. `encodeURIComponent` inside a URL). */
export function fill(text: string, data: TemplateData, enc: (s: any) => string = String): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g, (_, p: string, fb = '') => {
    const v = get(data, p) ?? get(data.attributes, p);
    return enc(v == null || v === '' ? fb : typeof v == 'object' ? JSON.stringify(v) : v);
  });
}

/**
 * Fills every string inside a JSON value (a webhook body): the result serialises to valid JSON whatever the
 * values hold, and JSON.parse defines keys, so a "__proto__" key stays data. `undefined` gives null.
 */
export const fillJson = (value: unknown, data: TemplateData): unknown =>
  JSON.parse(JSON.stringify(value, (_, v) => (typeof v == 'string' ? fill(v, data) : v)) ?? 'null');
