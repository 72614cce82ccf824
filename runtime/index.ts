/**
 * The on-page runtime's front door. Foundation milestone: a deliberately small loader that finds its script
 * tag, fetches the compiled bundle and exposes `window.workflows` (`ready` and a call queue). The executor,
 * sensors and the rest of the public API arrive later and replay the queue in order.
 */
import { COMPILED_FORMAT } from '../src/compile/types.js';

/** What `ready` resolves with. It never rejects: a page must not see our failures. */
export interface ReadyInfo {
  /** How many workflows the bundle holds; 0 when it could not be loaded. */
  workflows: number;
  /** The bundle's content hash; '' when it could not be loaded. */
  hash: string;
  /** Why nothing will run, when the bundle could not be loaded. */
  error?: string;
}

/** One queued call, as the snippet writes it: `['enroll', 'wf_welcome']`. */
export type QueuedCall = [command: string, ...args: unknown[]];

export interface WorkflowsApi {
  ready: Promise<ReadyInfo>;
  /** Queues calls made with the snippet's syntax; returns how many are queued, like `Array.prototype.push`. */
  push(...calls: QueuedCall[]): number;
}

declare global {
  interface Window {
    workflows?: WorkflowsApi;
  }
}

export const DEFAULT_BUNDLE_URL = '/workflows.json';

export interface StartOptions {
  /** URL of the compiled bundle; default: the script tag's `data-workflows`, else `/workflows.json`. */
  bundleUrl?: string;
}

/**
 * Starts the runtime once per page and returns `window.workflows`. A second copy of the script finds the
 * first one's instance and returns it untouched. Never throws.
 */
export function start(options: StartOptions = {}): WorkflowsApi {
  try {
    const existing: unknown = window.workflows;
    if (isApi(existing)) return existing;
    // Calls made before we loaded, through the snippet `window.workflows = window.workflows || []`.
    const queue: QueuedCall[] = Array.isArray(existing) ? existing.slice() : [];
    const api: WorkflowsApi = {
      ready: load(options.bundleUrl || scriptBundleUrl() || DEFAULT_BUNDLE_URL),
      push: (...calls) => queue.push(...calls),
    };
    window.workflows = api;
    return api;
  } catch (e) {
    const error = warn(`could not start: ${reason(e)}`);
    return { ready: Promise.resolve({ workflows: 0, hash: '', error }), push: () => 0 };
  }
}

function isApi(value: unknown): value is WorkflowsApi {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'ready' in value;
}

/** `data-workflows` of our own tag; `currentScript` is only set while a classic script first runs. */
function scriptBundleUrl(): string | null | undefined {
  const own = document.currentScript?.getAttribute('data-workflows');
  return own || document.querySelector('script[data-workflows]')?.getAttribute('data-workflows');
}

async function load(url: string): Promise<ReadyInfo> {
  const fail = (why: string): ReadyInfo => ({ workflows: 0, hash: '', error: warn(`could not load ${url}: ${why}`) });
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) return fail(`HTTP ${response.status}`);
    let bundle: unknown;
    try {
      bundle = await response.json();
    } catch {
      return fail('the response is not JSON');
    }
    if (!isCompiledBundle(bundle)) return fail(`it is not a compiled bundle (format "${COMPILED_FORMAT}")`);
    return { workflows: bundle.workflows.length, hash: bundle.hash };
  } catch (e) {
    return fail(reason(e));
  }
}

function isCompiledBundle(value: unknown): value is { workflows: unknown[]; hash: string } {
  const b = value as { format?: unknown; workflows?: unknown; hash?: unknown } | null;
  return !!b && b.format === COMPILED_FORMAT && Array.isArray(b.workflows) && typeof b.hash === 'string';
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One console warning with a clear reason; returns the message for `ReadyInfo.error`. */
function warn(message: string): string {
  try {
    console.warn(`[workflows] ${message}`);
  } catch {
    // A host page that broke its console must not break us.
  }
  return message;
}
