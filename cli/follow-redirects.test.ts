import { afterEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../lib/http/types';
import { type CallbackServer, startCallbackServer } from './callback-server';
import { FollowError, followAuthorizationRedirects, isRedirectTarget } from './follow-redirects';

const REDIRECT = 'http://127.0.0.1:5555/callback';

/** A fake authorization server: one canned answer per URL, recording what was asked. */
function fakeAs(routes: Record<string, (headers: Headers) => Response>) {
  const seen: Array<{ url: string; redirect?: RequestRedirect; cookie: string | null }> = [];
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    seen.push({ url, redirect: init?.redirect, cookie: headers.get('cookie') });
    const route = routes[url];
    if (!route) return new Response('not found', { status: 404 });
    return route(headers);
  };
  return { fetch, seen };
}

function redirect(location: string, setCookie?: string): Response {
  const headers = new Headers({ location });
  if (setCookie) headers.append('set-cookie', setCookie);
  return new Response(null, { status: 302, headers });
}

describe('followAuthorizationRedirects()', () => {
  it('stops at the first redirect to the redirect URI, without fetching it', async () => {
    const as = fakeAs({
      'https://as.example/authorize?client_id=c': () =>
        redirect('/interaction/1', 'sid=abc; Path=/; HttpOnly'),
      'https://as.example/interaction/1': (h) =>
        h.get('cookie') === 'sid=abc'
          ? redirect(`${REDIRECT}?code=xyz&state=s1&iss=https%3A%2F%2Fas.example`)
          : new Response('login', { status: 200 }),
    });
    const url = await followAuthorizationRedirects({
      authorizationUrl: 'https://as.example/authorize?client_id=c',
      redirectUri: REDIRECT,
      fetch: as.fetch,
    });
    expect(url.href).toBe(`${REDIRECT}?code=xyz&state=s1&iss=https%3A%2F%2Fas.example`);
    expect(as.seen.map((s) => s.url)).toEqual([
      'https://as.example/authorize?client_id=c',
      'https://as.example/interaction/1',
    ]);
    expect(as.seen.every((s) => s.redirect === 'manual')).toBe(true);
    expect(as.seen[1]?.cookie).toBe('sid=abc');
  });

  it('delivers an error response to the redirect URI as it is (the engine judges it)', async () => {
    const as = fakeAs({
      'https://as.example/authorize': () => redirect(`${REDIRECT}?error=access_denied&state=s1`),
    });
    const url = await followAuthorizationRedirects({
      authorizationUrl: 'https://as.example/authorize',
      redirectUri: REDIRECT,
      fetch: as.fetch,
    });
    expect(url.searchParams.get('error')).toBe('access_denied');
  });

  it('refuses a login page with a hint to run interactively', async () => {
    const as = fakeAs({
      'https://as.example/authorize': () => new Response('<form>password</form>', { status: 200 }),
    });
    const error = await followAuthorizationRedirects({
      authorizationUrl: 'https://as.example/authorize',
      redirectUri: REDIRECT,
      fetch: as.fetch,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FollowError);
    expect((error as FollowError).message).toMatch(/answered 200 .* login or consent page/);
    expect((error as FollowError).hint).toMatch(/Run without it/);
  });

  it('gives up after too many hops', async () => {
    const as = fakeAs({
      'https://as.example/a': () => redirect('https://as.example/b'),
      'https://as.example/b': () => redirect('https://as.example/a'),
    });
    await expect(
      followAuthorizationRedirects({
        authorizationUrl: 'https://as.example/a',
        redirectUri: REDIRECT,
        fetch: as.fetch,
        maxHops: 3,
      }),
    ).rejects.toThrow(/more than 3 times/);
  });

  it('matches the redirect URI by origin and path, not by prefix', () => {
    expect(isRedirectTarget(new URL(`${REDIRECT}?code=1`), REDIRECT)).toBe(true);
    expect(isRedirectTarget(new URL('http://127.0.0.1:5555/callbackx?code=1'), REDIRECT)).toBe(false);
    expect(isRedirectTarget(new URL('http://127.0.0.1:5556/callback?code=1'), REDIRECT)).toBe(false);
  });
});

describe('startCallbackServer()', () => {
  let server: CallbackServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('listens on a loopback port chosen at run time and resolves with the callback URL', async () => {
    server = await startCallbackServer();
    expect(server.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const waiting = server.waitForCallback();
    expect((await fetch(new URL('/favicon.ico', server.redirectUri))).status).toBe(404);
    const res = await fetch(`${server.redirectUri}?code=c1&state=s1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You can close this tab');
    const url = await waiting;
    expect(url.searchParams.get('code')).toBe('c1');
    expect(url.searchParams.get('state')).toBe('s1');
  });

  it('rejects when the signal aborts first', async () => {
    server = await startCallbackServer();
    const controller = new AbortController();
    const waiting = server.waitForCallback(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});
