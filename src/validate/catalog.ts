/** Every id defined across a project, with where it was defined, for reference checks. */
import type { AppProvider } from '../model/types.js';

export interface Definition {
  file?: string;
  pointer: string;
  /** Canonical JSON of the definition: identical redefinitions are not conflicts. */
  json?: string;
}

export interface Catalog {
  workflows: Map<string, Definition & { status?: string }>;
  promotions: Map<string, Definition>;
  segments: Map<string, Definition & { kind?: string }>;
  apps: Map<string, Definition & { provider?: AppProvider }>;
}

export function emptyCatalog(): Catalog {
  return { workflows: new Map(), promotions: new Map(), segments: new Map(), apps: new Map() };
}
