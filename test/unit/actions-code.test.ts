// @vitest-environment node
// Code steps: named handlers (sync, async, throwing, late, missing, slow), inline code, and a CSP without eval.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCode, CSP_BLOCKED, TT_BLOCKED, type CodeContext } from '../../runtime/actions/code.js';

const ctx = (): CodeContext => ({
  visitor: Object.freeze({ id: 'v1', attributes: Object.freeze({ plan: 'pro' }), segments: Object.freeze(['vip']) }),
  workflow: { id: 'wf', step: 'code' },
  form: { email: 'a@example.com' },
  track: vi.fn(),
  identify: vi.fn(),
  segments: { add: vi.fn(), remove: vi.fn() },
});

let onError: ReturnType<typeof vi.fn<(m: string) => void>>;
beforeEach(() => {
  vi.useFakeTimers();
  onError = vi.fn();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('named handlers', () => {
  it('resolves true when the handler returns, and gives it the context', async () => {
    const code = createCode(onError);
    const c = ctx();
    code.register('tag', (x) => x.segments.add(x.visitor.attributes.plan as string));
    expect(await code.run({ handler: 'tag', timeoutMs: 100 }, c)).toBe(true);
    expect(c.segments.add).toHaveBeenCalledWith('pro');
    expect(onError).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for a handler that resolves later', async () => {
    const code = createCode(onError);
    code.register('slow', () => new Promise((r) => setTimeout(r, 50)));
    const p = code.run({ handler: 'slow', timeoutMs: 100 }, ctx());
    await vi.advanceTimersByTimeAsync(50);
    expect(await p).toBe(true);
  });

  it('resolves false and reports when the handler throws or rejects', async () => {
    const code = createCode(onError);
    code.register('bad', () => {
      throw new Error('boom');
    });
    code.register('rejects', async () => Promise.reject(new Error('nope')));
    expect(await code.run({ handler: 'bad', timeoutMs: 100 }, ctx())).toBe(false);
    expect(await code.run({ handler: 'rejects', timeoutMs: 100 }, ctx())).toBe(false);
    expect(onError.mock.calls).toEqual([['code step failed: Error: boom'], ['code step failed: Error: nope']]);
  });

  it('times out a handler that never settles', async () => {
    const code = createCode(onError);
    code.register('hang', () => new Promise(() => {}));
    const p = code.run({ handler: 'hang', timeoutMs: 200 }, ctx());
    await vi.advanceTimersByTimeAsync(199);
    expect(onError).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBe(false);
    expect(onError).toHaveBeenCalledWith('code step timed out');
  });

  it('runs a handler registered after the step started (within the timeout)', async () => {
    const code = createCode(onError);
    const fn = vi.fn();
    const p = code.run({ handler: 'late', timeoutMs: 1000 }, ctx());
    await vi.advanceTimersByTimeAsync(500);
    code.register('late', fn);
    expect(await p).toBe(true);
    expect(fn).toHaveBeenCalledOnce();
  });

  it('fails when no handler is registered in time, and does not run one registered after', async () => {
    const code = createCode(onError);
    const p = code.run({ handler: 'never', timeoutMs: 300 }, ctx());
    await vi.advanceTimersByTimeAsync(300);
    expect(await p).toBe(false);
    expect(onError).toHaveBeenCalledWith('no handler "never" registered');
    const fn = vi.fn();
    code.register('never', fn);
    expect(fn).not.toHaveBeenCalled();
  });

  it('uses the latest registration', async () => {
    const code = createCode(onError);
    const a = vi.fn();
    const b = vi.fn();
    code.register('h', a);
    code.register('h', b);
    await code.run({ handler: 'h', timeoutMs: 10 }, ctx());
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
  });

  it('defaults the timeout to 3 s', async () => {
    const code = createCode(onError);
    const p = code.run({ handler: 'x' }, ctx());
    await vi.advanceTimersByTimeAsync(2999);
    expect(onError).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBe(false);
  });
});

describe('inline code', () => {
  it('runs with ctx, and awaits a returned promise', async () => {
    const code = createCode(onError);
    const c = ctx();
    expect(await code.run({ code: 'ctx.track("inline", { plan: ctx.visitor.attributes.plan })', timeoutMs: 100 }, c)).toBe(true);
    expect(c.track).toHaveBeenCalledWith('inline', { plan: 'pro' });
    expect(await code.run({ code: 'return Promise.reject(new Error("x"))', timeoutMs: 100 }, c)).toBe(false);
  });

  it('reports code that does not compile', async () => {
    const code = createCode(onError);
    expect(await code.run({ code: 'this is not js', timeoutMs: 100 }, ctx())).toBe(false);
    expect(onError.mock.calls[0]![0]).toMatch(/^inline code: SyntaxError/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('explains a Content-Security-Policy without unsafe-eval', async () => {
    vi.stubGlobal('Function', function () {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source of script");
    });
    const code = createCode(onError);
    expect(await code.run({ code: 'ctx.track("x")', timeoutMs: 100 }, ctx())).toBe(false);
    expect(onError).toHaveBeenCalledWith(CSP_BLOCKED);
    expect(CSP_BLOCKED).toBe(
      "inline code is blocked by this page's Content-Security-Policy (it needs 'unsafe-eval'); register a named handler with workflows.register() instead",
    );
  });

  it('explains Trusted Types enforced for scripts, which refuse inline code even with unsafe-eval', async () => {
    // Chromium's message under `require-trusted-types-for 'script'`.
    vi.stubGlobal('Function', function () {
      throw new EvalError("Evaluating a string as JavaScript violates this document's Trusted Type assignment requirements.");
    });
    expect(await createCode(onError).run({ code: 'ctx.track("x")', timeoutMs: 100 }, ctx())).toBe(false);
    expect(onError).toHaveBeenCalledWith(TT_BLOCKED);
    expect(TT_BLOCKED).toBe(
      "inline code is blocked by this page's Content-Security-Policy (its require-trusted-types-for 'script' refuses it); register a named handler with workflows.register() instead",
    );
  });
});
