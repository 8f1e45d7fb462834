/**
 * Isolation under concurrency, through the same code the server actions and the callback route run
 * (lib/server over lib/flow and lib/session): many simulated browsers, each with its own cookie
 * jar, walk through the demo at once as different users. No session may ever see another's
 * subject, token or trace, and a cookie that is tampered with or was rotated away opens nothing.
 *
 * Next.js request scope is simulated: `next/headers` reads the current browser's jar from an
 * AsyncLocalStorage, as Next reads the current request.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoHandle, startDemo } from '../../demo/index';
import { fullView } from '../contract/view-update';
import { browseAuthorization, CookieJar } from '../flow/testing/browser';

vi.mock('server-only', () => ({}));

const APP = 'http://127.0.0.1:9';
const CALLBACK = `${APP}/api/oauth/callback`;

interface Browser {
  name: string;
  user: 'demo' | 'alex';
  /** The inspector's cookies (name → value), like a browser's jar for the app's host. */
  cookies: Map<string, string>;
  /** The authorization server's cookies (another jar: a real browser keeps both). */
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
process.env.INSPECTOR_SESSION_SECRET = 'isolation-test-secret-0123456789-abcdefghij';

const { completeAuthorization, currentSnapshot, runTool, sessionExchange, startWalkthrough } = await import(
  './inspector'
);
const { SESSION_COOKIE, sessionManager } = await import('./session');

let demo: DemoHandle;
beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', log: () => {} });
});
afterAll(() => demo?.close());

const as = <T>(browser: Browser, fn: () => Promise<T>) => request.run(browser, fn);

function newBrowser(i: number): Browser {
  return {
    name: `browser-${i}`,
    user: i % 2 === 0 ? 'demo' : 'alex',
    cookies: new Map(),
    asJar: new CookieJar(),
  };
}

interface Walked {
  browser: Browser;
  callback: URL;
  /** Everything this browser was sent: every snapshot and tool result, serialised. */
  seen: string[];
  /** Its raw tokens, read from its own server-side session (never sent to it). */
  accessToken: string;
  refreshToken?: string;
  sub?: string;
}

async function walk(browser: Browser): Promise<Walked> {
  const seen: string[] = [];
  const started = await as(browser, () => startWalkthrough({ serverUrl: demo.mcpUrl, mode: 'run-all' }));
  if (!started.ok) throw new Error(started.error);
  seen.push(JSON.stringify(started.value));
  const authorizationUrl = fullView(started.value.update)?.authorizationUrl;
  if (!authorizationUrl)
    throw new Error(`${browser.name}: no authorization URL (${fullView(started.value.update)?.step})`);
  const callback = await browseAuthorization(authorizationUrl, CALLBACK, {
    username: browser.user,
    password: browser.user,
    jar: browser.asJar,
  });
  const outcome = await as(browser, () => completeAuthorization(callback));
  if (outcome.kind !== 'resumed') throw new Error(`${browser.name}: ${outcome.kind}`);
  const who = await as(browser, () => runTool('whoami', {}));
  if (!who.ok) throw new Error(who.error);
  seen.push(JSON.stringify(who.value));
  const echo = await as(browser, () => runTool('echo', { message: `I am ${browser.name}` }));
  if (!echo.ok) throw new Error(echo.error);
  seen.push(JSON.stringify(echo.value));
  seen.push(JSON.stringify(await as(browser, () => currentSnapshot())));
  const session = await sessionManager().load(browser.cookies.get(SESSION_COOKIE));
  const secrets = session?.data.flow?.secrets;
  if (!secrets?.accessToken) throw new Error(`${browser.name}: no token in its session`);
  const sub = (who.value.result.structuredContent as { sub?: string } | undefined)?.sub;
  return {
    browser,
    callback,
    seen,
    accessToken: secrets.accessToken,
    refreshToken: secrets.refreshToken,
    sub,
  };
}

describe('sessions under concurrency (lib/server over lib/flow and lib/session)', () => {
  const N = 16;
  let walked: Walked[];

  beforeAll(async () => {
    walked = await Promise.all(Array.from({ length: N }, (_, i) => walk(newBrowser(i))));
  }, 60_000);

  it('every browser is connected as its own user', () => {
    expect(walked.map((w) => w.sub)).toEqual(walked.map((w) => w.browser.user));
    const ids = new Set(walked.map((w) => w.browser.cookies.get(SESSION_COOKIE)));
    expect(ids.size).toBe(N);
    expect(new Set(walked.map((w) => w.accessToken)).size).toBe(N);
  });

  it('no browser is ever sent a raw token, its own or another’s, or another user’s subject', () => {
    const tokens = walked.flatMap((w) => [w.accessToken, ...(w.refreshToken ? [w.refreshToken] : [])]);
    for (const w of walked) {
      const text = w.seen.join('\n');
      for (const token of tokens)
        expect(text.includes(token), `${w.browser.name} saw a raw token`).toBe(false);
      const other = w.browser.user === 'demo' ? 'alex' : 'demo';
      expect(text).toContain(`sub: ${w.browser.user}\\n`);
      expect(text).not.toContain(`sub: ${other}\\n`);
      expect(text).toContain(`I am ${w.browser.name}`);
      for (const v of walked) {
        if (v !== w) expect(text.includes(`I am ${v.browser.name}"`)).toBe(false);
      }
    }
  });

  it('each trace holds only its own token fingerprint (the redacted form)', () => {
    const fingerprint = (token: string) => `${token.slice(0, 4)}…${token.slice(-4)}`;
    for (const w of walked) {
      const text = w.seen.join('\n');
      for (const v of walked) {
        if (v === w) continue;
        const theirs = fingerprint(v.accessToken);
        // Fingerprints are short; only a distinct one can prove anything.
        if (theirs !== fingerprint(w.accessToken)) expect(text.includes(theirs)).toBe(false);
      }
    }
  });

  it('an exchange opens from its own browser’s session only', async () => {
    const [a, b] = walked;
    if (!a || !b) throw new Error('not enough browsers');
    const { view } = await as(a.browser, () => currentSnapshot());
    const echo = view?.steps
      .find((s) => s.id === 'tools')
      ?.exchanges.find((x) => x.request.body?.includes(`I am ${a.browser.name}`));
    if (!echo) throw new Error('no echo exchange recorded');
    expect(await as(a.browser, () => sessionExchange(echo.id, echo.startedAt))).toStrictEqual(echo);
    // Ids count per walkthrough, so B may have one with the same id: it gets its own, never A's.
    const theirs = await as(b.browser, () => sessionExchange(echo.id, echo.startedAt));
    expect(JSON.stringify(theirs ?? null)).not.toContain(`I am ${a.browser.name}"`);
    expect(await as(newBrowser(103), () => sessionExchange(echo.id, echo.startedAt))).toBeUndefined();
  });

  it('a tampered session cookie opens nothing, and is not someone else’s session', async () => {
    const [a, b] = walked;
    if (!a || !b) throw new Error('not enough browsers');
    const id = a.browser.cookies.get(SESSION_COOKIE)!;
    const tampered = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    const intruder: Browser = { ...newBrowser(99), cookies: new Map([[SESSION_COOKIE, tampered]]) };
    const snapshot = await as(intruder, () => currentSnapshot());
    expect(snapshot.view).toBeNull();
    const call = await as(intruder, () => runTool('whoami', {}));
    expect(call.ok).toBe(false);
    // The intruder got a fresh, empty session of its own, not A's.
    expect(intruder.cookies.get(SESSION_COOKIE)).not.toBe(id);
    // A is untouched.
    const mine = await as(a.browser, () => runTool('whoami', {}));
    expect(mine.ok && (mine.value.result.structuredContent as { sub?: string }).sub).toBe(a.browser.user);
  });

  it('the session id from before sign-in was rotated away: a copy of it opens nothing', async () => {
    const victim = newBrowser(100);
    const started = await as(victim, () => startWalkthrough({ serverUrl: demo.mcpUrl, mode: 'run-all' }));
    const authorizationUrl = started.ok ? fullView(started.value.update)?.authorizationUrl : undefined;
    if (!authorizationUrl) throw new Error('start failed');
    const before = victim.cookies.get(SESSION_COOKIE)!;
    const callback = await browseAuthorization(authorizationUrl, CALLBACK, {
      username: victim.user,
      password: victim.user,
      jar: victim.asJar,
    });
    expect((await as(victim, () => completeAuthorization(callback))).kind).toBe('resumed');
    expect(victim.cookies.get(SESSION_COOKIE)).not.toBe(before);
    // An attacker who planted or copied the pre-sign-in id (fixation) gets nothing.
    const fixer: Browser = { ...newBrowser(101), cookies: new Map([[SESSION_COOKIE, before]]) };
    expect((await as(fixer, () => currentSnapshot())).view).toBeNull();
  });

  it('one browser’s callback is refused in another browser, and changes nothing there', async () => {
    const [a, b] = walked.slice(-2);
    if (!a || !b) throw new Error('not enough browsers');
    const waiting = newBrowser(102);
    const started = await as(waiting, () => startWalkthrough({ serverUrl: demo.mcpUrl, mode: 'run-all' }));
    if (!started.ok) throw new Error(started.error);
    const foreign = await as(waiting, () => completeAuthorization(a.callback));
    expect(foreign).toMatchObject({ kind: 'rejected', title: expect.stringMatching(/another request/) });
    expect((await as(waiting, () => currentSnapshot())).view?.step).toBe('awaiting-callback');
    const replayed = await as(b.browser, () => completeAuthorization(b.callback));
    expect(replayed).toMatchObject({ kind: 'rejected', title: expect.stringMatching(/already used/) });
  });
});
