/**
 * Several inspector instances on one Redis, through the same code the server actions and the
 * callback route run (lib/server over lib/flow and lib/session), with a real redis-server and the
 * demo. An "instance" is what a process keeps in memory: the session manager with its store, its
 * in-process locks and nothing else; switching instance drops all of it, as landing on another
 * process behind a round-robin proxy does. (The two-process suite through nginx is e2e/hosting.spec.ts.)
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoHandle, startDemo } from '../../demo/index';
import { startRedis } from '../../scripts/redis-process';
import { fullView } from '../contract/view-update';
import { browseAuthorization, CookieJar } from '../flow/testing/browser';
import { sharedRedis } from '../session/redis-client';

vi.mock('server-only', () => ({}));

const APP = 'http://127.0.0.1:9';
const CALLBACK = `${APP}/api/oauth/callback`;
const jar = new AsyncLocalStorage<Map<string, string>>();

vi.mock('next/headers', () => ({
  cookies: async () => {
    const cookies = jar.getStore();
    if (!cookies) throw new Error('cookies() outside a request');
    return {
      get: (name: string) => (cookies.has(name) ? { name, value: cookies.get(name) } : undefined),
      set: (name: string, value: string) => void cookies.set(name, value),
      delete: (name: string) => void cookies.delete(name),
    };
  },
  headers: async () => new Headers({ host: '127.0.0.1:9' }),
}));

const redis = await startRedis();
process.env.INSPECTOR_MODE = 'local';
process.env.INSPECTOR_PUBLIC_URL = APP;
process.env.INSPECTOR_SESSION_SECRET = 'instances-test-secret-0123456789-abcdefghij';
process.env.INSPECTOR_REDIS_URL = redis.url;

const { completeAuthorization, currentSnapshot, runTool, startWalkthrough } = await import('./inspector');
const { NO_SESSION, SESSION_COOKIE, sessionStoreHealth } = await import('./session');
const { RedisWindowLimiter } = await import('./rate-limit');

/** What one process holds in memory for sessions; dropping it makes the next call a new instance. */
const managerKey = Symbol.for('mcp-auth-inspector.sessions');
function onAnotherInstance(): void {
  delete (globalThis as Record<symbol, unknown>)[managerKey];
}

let demo: DemoHandle;
beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', log: () => {} });
});
afterAll(async () => {
  await demo?.close();
  await sharedRedis(redis.url).close();
  await redis.stop();
});

async function signIn(cookies: Map<string, string>): Promise<URL> {
  const started = await jar.run(cookies, () => startWalkthrough({ serverUrl: demo.mcpUrl, mode: 'run-all' }));
  if (!started.ok) throw new Error(started.error);
  const authorizationUrl = fullView(started.value.update)?.authorizationUrl;
  if (!authorizationUrl) throw new Error(`no authorization URL (${fullView(started.value.update)?.step})`);
  return browseAuthorization(authorizationUrl, CALLBACK, {
    username: 'demo',
    password: 'demo',
    jar: new CookieJar(),
  });
}

describe('sessions on Redis across instances', () => {
  it('a walkthrough started on one instance finishes on another, and its callback is used once', async () => {
    const cookies = new Map<string, string>();
    const callback = await signIn(cookies);
    const before = cookies.get(SESSION_COOKIE);

    onAnotherInstance();
    expect(await jar.run(cookies, () => completeAuthorization(callback))).toEqual({ kind: 'resumed' });
    expect(cookies.get(SESSION_COOKIE)).not.toBe(before); // rotated after sign-in

    onAnotherInstance();
    const who = await jar.run(cookies, () => runTool('whoami', {}));
    expect(who.ok && (who.value.result.structuredContent as { sub?: string }).sub).toBeTruthy();

    // The same response again, on yet another instance, and with the pre-rotation cookie: refused.
    onAnotherInstance();
    const replayed = await jar.run(cookies, () => completeAuthorization(callback));
    expect(replayed).toMatchObject({
      kind: 'rejected',
      title: 'This authorization response was already used',
    });
    const withOldCookie = new Map([[SESSION_COOKIE, before ?? '']]);
    const foreign = await jar.run(withOldCookie, () => completeAuthorization(callback));
    expect(foreign.kind).toBe('rejected');
  });

  it('two deliveries of one authorization response at once resume the walkthrough once', async () => {
    const cookies = new Map<string, string>();
    const callback = await signIn(cookies);
    // Two tabs of one browser (one jar): both carry the same cookie when they send the response.
    const outcomes = await Promise.all([
      jar.run(cookies, () => completeAuthorization(callback)),
      jar.run(cookies, () => completeAuthorization(callback)),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['rejected', 'resumed']);
    expect(outcomes.find((o) => o.kind === 'rejected')).toMatchObject({
      title: 'This authorization response was already used',
    });
    const who = await jar.run(cookies, () => runTool('whoami', {}));
    expect(who.ok).toBe(true);
  });

  it('two tool calls at once on one session both complete, one after the other, and both are kept', async () => {
    const cookies = new Map<string, string>();
    await jar.run(cookies, async () => completeAuthorization(await signIn(cookies)));
    const [a, b] = await Promise.all([
      jar.run(cookies, () => runTool('echo', { message: 'first tab' })),
      jar.run(cookies, () => runTool('echo', { message: 'second tab' })),
    ]);
    expect(a.ok && b.ok).toBe(true);
    onAnotherInstance();
    const after = await jar.run(cookies, () => runTool('whoami', {}));
    if (!after.ok) throw new Error(after.error);
    // The recorded calls with their bodies: the full view (an action's answer has them collapsed).
    const calls = JSON.stringify((await jar.run(cookies, () => currentSnapshot())).view);
    expect(calls).toContain('first tab');
    expect(calls).toContain('second tab');
  });

  it('per-client budgets are one budget across instances, and count locally while Redis is away', async () => {
    const client = sharedRedis(redis.url);
    const a = new RedisWindowLimiter(client, 3, 'actions', 60_000, `budget${Date.now()}:`);
    const b = new RedisWindowLimiter(client, 3, 'actions', 60_000, `budget${Date.now()}:`);
    const taken = [await a.take('10.0.0.1'), await b.take('10.0.0.1'), await a.take('10.0.0.1')];
    expect(taken.every((d) => d.ok)).toBe(true);
    const refused = await b.take('10.0.0.1');
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterS).toBeGreaterThanOrEqual(59);
    expect((await b.take('10.0.0.2')).ok).toBe(true);
    const unreachable = new RedisWindowLimiter({ eval: () => Promise.reject(new Error('down')) }, 2, 'x');
    const local = [await unreachable.take('k'), await unreachable.take('k'), await unreachable.take('k')];
    expect(local.map((d) => d.ok)).toEqual([true, true, false]);
  });

  it('Redis down: a clear sentence and health 503; Redis restarted empty: "start again", and a fresh start works', async () => {
    const cookies = new Map<string, string>();
    await jar.run(cookies, async () => completeAuthorization(await signIn(cookies)));

    await redis.kill();
    const down = await jar.run(cookies, () => runTool('whoami', {}));
    expect(down).toEqual({ ok: false, error: expect.stringMatching(/session store is not answering/) });
    expect(await sessionStoreHealth()).toMatchObject({ ok: false, store: 'redis' });

    await redis.restart();
    const deadline = Date.now() + 5_000;
    while (!(await sessionStoreHealth()).ok && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const gone = await jar.run(cookies, () => runTool('whoami', {}));
    expect(gone).toEqual({ ok: false, error: NO_SESSION });

    await jar.run(cookies, async () => completeAuthorization(await signIn(cookies)));
    const again = await jar.run(cookies, () => runTool('whoami', {}));
    expect(again.ok).toBe(true);
  });
});
