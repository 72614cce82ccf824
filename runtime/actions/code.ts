/**
 * The Code step: a named handler the site registers (`workflows.register(name, fn)`), or inline code.
 * Resolves true (port `next`) when the handler returns or resolves, false (port `failed`) when it throws,
 * rejects, takes longer than `timeoutMs` (default 3000), or is not registered by then; the reason goes to
 * `onError`. A handler registered after the step started still runs, within the timeout.
 * The runner lives in the actions chunk; the registry (`createRegistry`) is all the script tag carries, so that
 * `register` works before and after the chunk arrives.
 */
import type { CodeNode } from '../../src/model/types.js';

/**
 * What a handler receives. The visitor part is a snapshot: changing it changes nothing; act through the
 * functions, which are `workflows.track`, `workflows.identify` and `workflows.segments`.
 */
export interface CodeContext {
  readonly visitor: {
    readonly id: string;
    readonly attributes: Readonly<Record<string, unknown>>;
    readonly segments: readonly string[];
  };
  readonly workflow: { readonly id: string; readonly step: string };
  /** Values the visitor submitted in the enrollment's last promotion form ({} when none). */
  readonly form: Readonly<Record<string, unknown>>;
  track(name: string, props?: Record<string, unknown>): void;
  identify(attributes: Record<string, unknown>): void;
  readonly segments: { add(id: string): void; remove(id: string): void };
}

export type CodeHandler = (ctx: CodeContext) => unknown;

/** Handlers by name, and the steps waiting for one that is not registered yet. */
export interface Registry {
  readonly handlers: Map<string, CodeHandler>;
  readonly waiting: Set<() => void>;
  /** Registers a handler; a later call with the same name replaces it. Waiting steps look again. */
  register(name: string, fn: CodeHandler): void;
}

export interface Code {
  register: Registry['register'];
  run(node: Pick<CodeNode, 'handler' | 'code' | 'timeoutMs'>, ctx: CodeContext): Promise<boolean>;
}

const blocked = (need: string) => `inline code is blocked by this page's Content-Security-Policy (${need}); register a named handler with workflows.register() instead`;
export const CSP_BLOCKED = blocked("it needs 'unsafe-eval'");
/** Enforced Trusted Types refuse the Function constructor a string even where 'unsafe-eval' allows it. */
export const TT_BLOCKED = blocked("its require-trusted-types-for 'script' refuses it");

export function createRegistry(): Registry {
  const handlers = new Map<string, CodeHandler>();
  const waiting = new Set<() => void>();
  return {
    handlers,
    waiting,
    register(name, fn) {
      handlers.set(name, fn);
      waiting.forEach((go) => go());
    },
  };
}

/** A runner over `registry` (the script tag's, when it loads the actions chunk; a new one by default). */
export function createCode(onError: (message: string) => void, { handlers, waiting, register } = createRegistry()): Code {
  return {
    register,
    run(n, ctx) {
      return new Promise((res) => {
        let fn: CodeHandler | undefined;
        let done: unknown;
        // Inline code compiles once per page, kept under a name no site registers.
        const name = n.code != null ? '\0' + n.code : n.handler!;
        const end = (ok: boolean, why?: string) => {
          if (done) return;
          done = 1;
          clearTimeout(t);
          waiting.delete(go);
          why && onError(why);
          res(ok);
        };
        const go = async () => {
          if (!fn && (fn = handlers.get(name)))
            try {
              await fn(ctx);
              end(true);
            } catch (e) {
              end(false, 'code step failed: ' + e);
            }
        };
        const t = setTimeout(() => end(false, fn ? 'code step timed out' : `no handler "${n.handler}" registered`), n.timeoutMs || 3e3);
        if (n.code != null && !handlers.has(name))
          try {
            handlers.set(name, Function('ctx', n.code) as CodeHandler);
          } catch (e) {
            // Under a CSP without 'unsafe-eval', or with Trusted Types enforced, the Function constructor throws an
            // EvalError; only its message tells which.
            return end(false, e instanceof EvalError ? (/trusted/i.test(e.message) ? TT_BLOCKED : CSP_BLOCKED) : 'inline code: ' + e);
          }
        waiting.add(go);
        go();
      });
    },
  };
}
