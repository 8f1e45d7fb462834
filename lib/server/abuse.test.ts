/**
 * Fair under abuse, through the code the server actions run (lib/server over lib/flow and
 * lib/session), with Next's request scope simulated as in isolation.test.ts: only starting a
 * walkthrough makes a session, every field has a cap with a sentence, and a flood of anonymous
 * sessions never signs out a user who completed authorization.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoHandle, startDemo } from '../../demo/index';
import { fullView } from '../contract/view-update';
import { browseAuthorization, CookieJar } from '../flow/testing/browser';
import { relayThrough, startHostileWorld } from '../flow/testing/hostile-world';
import { clientKey, OutboundGate, tooManyActions, WindowLimiter } from './rate-limit';

vi.mock('server-only', () => ({}));

const APP = 'http://127.0.0.1:9';

interface Browser {
  cookies: Map<string, string>;
  asJar: CookieJar;
}
const request = new AsyncLocalStorage<Browser>();

vi.mock('next/headers', () => ({
  cookies: async () => {
    const browser = request.getStore();
    if (!browser) throw new Error('cookies() outside a request');
    return {
      get: (name: string) => {
        const value = browser.cookies.get(name);
        return value === undefined ? undefined : { name, value };
      },
      set: (name: string, value: string) => {
        browser.cookies.set(name, value);
      },
      delete: (name: string) => {
        browser.cookies.delete(name);
      },
    };
  },
  headers: async () => new Headers({ host: '127.0.0.1:9' }),
}));

process.env.INSPECTOR_MODE = 'local';
process.env.INSPECTOR_PUBLIC_URL = APP;
process.env.INSPECTOR_SESSION_SECRET = 'abuse-test-secret-0123456789-abcdefghijklmn';
process.env.INSPECTOR_MAX_ANONYMOUS_SESSIONS = '20';
process.env.INSPECTOR_MAX_SESSIONS = '40';
process.env.INSPECTOR_MAX_CONCURRENT_OUTBOUND = '2';

const inspector = await import('./inspector');
const { SESSION_COOKIE, sessionManager } = await import('./session');

let demo: DemoHandle;
beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', log: () => {} });
});
afterAll(() => demo?.close());

const fresh = (): Browser => ({ cookies: new Map(), asJar: new CookieJar() });
const as = <T>(browser: Browser, fn: () => Promise<T>) => request.run(browser, fn);

describe('only actions that need a session create one', () => {
  it.each([
    ['setMode', () => inspector.setMode('guided')],
    ['reset', () => inspector.resetWalkthrough()],
    ['next step', () => inspector.advanceWalkthrough('step')],
    ['run a tool', () => inspector.runTool('whoami', {})],
    ['reconnect', () => inspector.reconnectSession()],
    ['disconnect', () => inspector.disconnectSession()],
    ['audit', () => inspector.runAudit()],
    ['choose a server', () => inspector.chooseAuthorizationServer(0)],
  ])('%s without a session stores nothing and sets no cookie', async (_name, op) => {
    const browser = fresh();
    const result = await as(browser, op);
    expect(browser.cookies.size).toBe(0);
    if (!result.ok) expect(result.error).toMatch(/\.$/);
  });

  it('20,000 anonymous setMode calls store no session', async () => {
    for (let i = 0; i < 20_000; i++) await as(fresh(), () => inspector.setMode(i % 2 ? 'guided' : 'run-all'));
    const browser = fresh();
    const started = await as(browser, () =>
      inspector.startWalkthrough({ serverUrl: 'http://127.0.0.1:9/mcp' }),
    );
    expect(started.ok).toBe(true);
    expect(browser.cookies.get(SESSION_COOKIE)).toMatch(/^[\w-]{43}$/);
  });
});

describe('every field has a cap, and each problem is one sentence', () => {
  it.each([
    ['', /^Enter the URL of an MCP server, e\.g\. https:\/\/mcp\.example\.com\/mcp\.$/],
    ['   ', /^Enter the URL of an MCP server/],
    [
      `https://x.example/${'a'.repeat(900_000)}`,
      /^That URL is 900,018 characters long; the inspector accepts server URLs of up to 2,048 characters\.$/,
    ],
    ['mcp.example.com', /^That is not a URL\. Include the scheme/],
    ['ftp://mcp.example.com', /^Only http:\/\/ and https:\/\/ MCP servers can be inspected, not ftp:\/\/\.$/],
  ])('server URL %j', async (serverUrl, message) => {
    const browser = fresh();
    const result = await as(browser, () =>
      inspector.startWalkthrough({ serverUrl: serverUrl.slice(0, 1_000_000) }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
    expect(browser.cookies.size).toBe(0);
  });

  it.each([
    [
      'scope',
      { scope: 's'.repeat(2001) },
      /^The scope is 2,001 characters long; the limit is 2,000 characters\.$/,
    ],
    ['client id', { clientId: 'c'.repeat(2001) }, /^The client id is 2,001 characters long/],
    ['client secret', { clientSecret: 'c'.repeat(4001) }, /^The client secret is 4,001 characters long/],
    ['extra parameters', { extraAuthParams: 'a=b&'.repeat(1001) }, /^The extra authorization parameters is/],
  ])('%s', async (_field, extra, message) => {
    const result = await as(fresh(), () =>
      inspector.startWalkthrough({ serverUrl: 'https://mcp.example.com/mcp', ...extra }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('a flood of anonymous sessions never signs a user out', () => {
  it('a signed-in session survives 200 anonymous walkthroughs past the anonymous cap of 20', async () => {
    const user = fresh();
    const started = await as(user, () =>
      inspector.startWalkthrough({ serverUrl: demo.mcpUrl, mode: 'run-all' }),
    );
    if (!started.ok) throw new Error(started.error);
    const url = fullView(started.value.update)?.authorizationUrl;
    if (!url) throw new Error(`no authorization URL (${fullView(started.value.update)?.step})`);
    const callback = await browseAuthorization(url, `${APP}/api/oauth/callback`, {
      username: 'demo',
      password: 'demo',
      jar: user.asJar,
    });
    expect((await as(user, () => inspector.completeAuthorization(callback))).kind).toBe('resumed');

    const refused: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await as(fresh(), () => inspector.startWalkthrough({ serverUrl: 'http://127.0.0.1:9/mcp' }));
      if (!r.ok) refused.push(r.error);
    }
    expect(refused).toEqual([]);
    const who = await as(user, () => inspector.runTool('whoami', {}));
    if (!who.ok) throw new Error(who.error);
    expect(who.value.result.isError).toBe(false);
    expect(JSON.stringify(who.value.result)).toContain('demo');
    const session = await sessionManager().load(user.cookies.get(SESSION_COOKIE));
    expect(session?.data.flow?.secrets.accessToken).toBeTruthy();
  });
});

describe('rate limits', () => {
  it('a window limiter allows `limit` per window per client, then says when to come back', () => {
    let now = 0;
    const limiter = new WindowLimiter(3, 60_000, 100, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 60 });
    expect(limiter.take('b').ok).toBe(true);
    now = 45_500;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 15 });
    now = 60_000;
    expect(limiter.take('a').ok).toBe(true);
  });

  it('keeps a bounded number of clients however many addresses a flood makes up', () => {
    const limiter = new WindowLimiter(1, 60_000, 1_000);
    for (let i = 0; i < 20_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.keys).toBe(1_000);
  });

  it('the client is the X-Forwarded-For entry the configured proxies vouch for', () => {
    expect(clientKey('203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientKey('6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientKey('6.6.6.6, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
    expect(clientKey(null, 1)).toBe('unknown');
  });

  it('the outbound gate refuses past its cap and frees slots', () => {
    const gate = new OutboundGate(2);
    expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
    gate.leave();
    expect(gate.tryEnter()).toBe(true);
  });

  it('the 429 sentence says the limit and when to try again', () => {
    expect(tooManyActions(120, 37)).toBe(
      'Too many requests from your address: the inspector takes at most 120 actions a minute from one client. Wait 37 seconds, then try again.',
    );
  });
});

describe('a document too deep to keep', () => {
  it('gives a sentence naming the problem, and the guided walkthrough stays where it was', async () => {
    const w = await startHostileWorld();
    try {
      const depth = 20_000;
      w.routes.set(
        '/evil-as/register',
        relayThrough(
          () => w.evil,
          (a) => ({ ...a, body: `${a.body.slice(0, -1)},"x":${'['.repeat(depth)}${']'.repeat(depth)}}` }),
        ),
      );
      const browser = fresh();
      const started = await as(browser, () =>
        inspector.startWalkthrough({ serverUrl: w.evil.mcpUrl, mode: 'guided', specVersion: '2025-11-25' }),
      );
      if (!started.ok) throw new Error(started.error);
      let step = fullView(started.value.update)?.step;
      let error: string | undefined;
      for (let i = 0; i < 8 && !error; i++) {
        const next = await as(browser, () => inspector.advanceWalkthrough('step'));
        if (next.ok) step = fullView(next.value.update)?.step;
        else error = next.error;
      }
      expect(error).toMatch(/^A server sent a JSON document nested too deeply for the inspector to keep/);
      expect(step).toBe('registration');
      expect((await as(browser, () => inspector.currentSnapshot())).view?.step).toBe('registration');
    } finally {
      await w.close();
    }
  });
});

describe('the global cap on concurrent outbound work', () => {
  it('refuses past the cap at once, with a sentence, and frees the slots afterwards', async () => {
    const w = await startHostileWorld();
    try {
      w.routes.set('/slow/mcp', (_req, res) => {
        setTimeout(() => {
          res.writeHead(404);
          res.end();
        }, 400);
      });
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          as(fresh(), () =>
            inspector.startWalkthrough({ serverUrl: `${w.origin}/slow/mcp`, mode: 'guided' }),
          ),
        ),
      );
      const refused = results.flatMap((r) => (r.ok ? [] : [r.error]));
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(refused).toEqual(
        Array(3).fill(
          'The inspector is busy: it is already contacting other servers for 2 operations, its limit. Try again in a few seconds.',
        ),
      );
      const again = await as(fresh(), () =>
        inspector.startWalkthrough({ serverUrl: `${w.origin}/slow/mcp`, mode: 'guided' }),
      );
      expect(again.ok).toBe(true);
    } finally {
      await w.close();
    }
  });
});
