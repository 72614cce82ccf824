/**
 * The exchange file (`.jst`): one workflow and everything it needs, to move between sites or accounts.
 * JSON inside; see docs/exchange.md.
 */
import type { AppConnection, Promotion, Segment, Workflow } from '../model/types.js';

export const EXCHANGE_FORMAT = 'workflows/exchange';
/** Bump with a new entry in MIGRATIONS (./migrations.ts) whenever the shape changes. */
export const EXCHANGE_VERSION = 1;
export const EXCHANGE_EXTENSION = '.jst';

export interface ExchangeFile {
  format: typeof EXCHANGE_FORMAT;
  version: typeof EXCHANGE_VERSION;
  /** ISO date-time of the export. */
  exportedAt: string;
  workflow: Workflow;
  /** Everything the workflow references, directly or through a segment rule. */
  promotions: Promotion[];
  segments: Segment[];
  /** App connections with public settings only; secret-looking settings are removed. */
  apps: AppConnection[];
  /** Ids the workflow names but the file does not carry: the importing project must have them. */
  references: { workflows: string[] };
}

/**
 * Setting names that look like credentials, compared without case, `_` or `-`. A superset of what the
 * validator refuses in app settings, so an exported app always passes validation.
 */
const SECRET_WORDS = ['apikey', 'secret', 'token', 'password', 'passwd', 'private', 'auth', 'accesskey', 'credential'];

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_WORDS.some((w) => k.includes(w));
}

/** A copy of the app without secret-looking settings, and the names of those removed. */
export function publicApp(app: AppConnection): { app: AppConnection; removed: string[] } {
  const settings: Record<string, string> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(app.settings ?? {})) {
    if (isSecretKey(key)) removed.push(key);
    else settings[key] = value;
  }
  return { app: { ...app, settings }, removed };
}
