import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisProcess, startRedis } from '../../scripts/redis-process';
import { sharedRedis } from './redis-client';
import { RedisSessionStore, SessionBusyError } from './redis-store';
import { createKeyring } from './seal';
import { SessionManager } from './sessions';
import { SessionStoreFullError, SessionStoreUnavailableError } from './store';

let redis: RedisProcess;
let prefixes = 0;
/** Each test its own prefix in the one Redis: no test sees another's sessions or counters. */
const store = (options: ConstructorParameters<typeof RedisSessionStore>[1] = {}) =>
  new RedisSessionStore(sharedRedis(redis.url), { prefix: `t${++prefixes}:`, ...options });

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await sharedRedis(redis.url).close();
  await redis.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until the client has reconnected (node-redis backs off between attempts), at most 5 s. */
async function answering(client: ReturnType<typeof sharedRedis>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await client.ping(500)).ok && Date.now() < deadline) await sleep(50);
}

describe('RedisSessionStore (a real redis-server)', () => {
  it('keeps sealed values with Redis expiry, and deletes them', async () => {
    const s = store();
    await s.set('a', 'sealed-a', 60_000);
    expect(await s.get('a')).toBe('sealed-a');
    await s.set('b', 'sealed-b', 80);
    await sleep(150);
    expect(await s.get('b')).toBeUndefined();
    await s.delete('a');
    expect(await s.get('a')).toBeUndefined();
    expect(await s.stats()).toEqual({ size: 0, signedIn: 0, bytes: 0 });
  });

  it('evicts anonymous sessions first, least recently saved first, and never a signed-in one for an anonymous one', async () => {
    const s = store({ limits: { maxEntries: 3, maxAnonymous: 2 } });
    await s.set('signed', 'S', 60_000, { signedIn: true });
    await s.set('anon1', 'A1', 60_000);
    await s.set('anon2', 'A2', 60_000);
    // A third anonymous one pushes out the oldest anonymous one, not the signed-in one.
    await s.set('anon3', 'A3', 60_000);
    expect(await s.get('anon1')).toBeUndefined();
    expect(await s.get('signed')).toBe('S');
    expect(await s.get('anon3')).toBe('A3');
    // Saving an existing session again does not count it twice.
    await s.set('anon3', 'A3b', 60_000);
    expect(await s.get('anon2')).toBe('A2');
    expect((await s.stats()).size).toBe(3);
  });

  it('refuses a new anonymous session when only signed-in ones are left, keeping everything that was there', async () => {
    const s = store({ limits: { maxEntries: 2 } });
    await s.set('one', '1', 60_000, { signedIn: true });
    await s.set('two', '2', 60_000, { signedIn: true });
    await expect(s.set('anon', 'x', 60_000)).rejects.toBeInstanceOf(SessionStoreFullError);
    expect(await s.get('one')).toBe('1');
    expect(await s.get('two')).toBe('2');
    // A signed-in session may make room for another signed-in one (the least recently saved goes).
    await s.set('three', '3', 60_000, { signedIn: true });
    expect(await s.get('one')).toBeUndefined();
  });

  it('counts bytes, settles the counters of sessions that expired by TTL, and caps anonymous bytes', async () => {
    const s = store({ limits: { maxAnonymousBytes: 10 } });
    await s.set('short', 'x'.repeat(6), 50);
    await sleep(120);
    // The expired one no longer counts: a 6-byte session fits under the 10-byte anonymous cap.
    await s.set('next', 'y'.repeat(6), 60_000);
    expect(await s.stats()).toEqual({ size: 1, signedIn: 0, bytes: 6 });
    await s.set('more', 'z'.repeat(6), 60_000);
    expect(await s.get('next')).toBeUndefined();
    expect(await s.stats()).toEqual({ size: 1, signedIn: 0, bytes: 6 });
  });

  it('consumes a mark once, across stores sharing the Redis (two instances)', async () => {
    const prefix = `shared${++prefixes}:`;
    const a = new RedisSessionStore(sharedRedis(redis.url), { prefix });
    const b = new RedisSessionStore(sharedRedis(redis.url), { prefix });
    const results = await Promise.all([a.consumeOnce('state:x', 60_000), b.consumeOnce('state:x', 60_000)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await a.consumeOnce('state:y', 60_000)).toBe(true);
  });

  it('runs operations on one session one at a time across instances, in turn', async () => {
    const prefix = `lock${++prefixes}:`;
    const a = new RedisSessionStore(sharedRedis(redis.url), { prefix });
    const b = new RedisSessionStore(sharedRedis(redis.url), { prefix });
    const log: string[] = [];
    const op = (name: string) => async () => {
      log.push(`${name}:begin`);
      await sleep(40);
      log.push(`${name}:end`);
      return name;
    };
    const done = await Promise.all([
      a.withLock('sid', op('a1')),
      b.withLock('sid', op('b1')),
      a.withLock('sid', op('a2')),
      b.withLock('sid', op('b2')),
      a.withLock('other', op('o')),
    ]);
    expect(done).toEqual(['a1', 'b1', 'a2', 'b2', 'o']);
    // Never two operations on "sid" between a begin and its end.
    const sid = log.filter((e) => !e.startsWith('o:'));
    for (let i = 0; i < sid.length; i += 2) {
      expect(sid[i]?.replace(':begin', '')).toBe(sid[i + 1]?.replace(':end', ''));
    }
  });

  it('renews the lease while an operation runs longer than it, and a waiter gives up with a sentence', async () => {
    const prefix = `lease${++prefixes}:`;
    const a = new RedisSessionStore(sharedRedis(redis.url), { prefix, lockLeaseMs: 150, lockWaitMs: 5_000 });
    const b = new RedisSessionStore(sharedRedis(redis.url), { prefix, lockLeaseMs: 150, lockWaitMs: 200 });
    let overlapped = false;
    let holding = false;
    const long = a.withLock('sid', async () => {
      holding = true;
      await sleep(600); // four leases: only renewal keeps the lock
      holding = false;
    });
    await sleep(20);
    const waiter = b.withLock('sid', async () => {
      overlapped = holding;
    });
    await expect(waiter).rejects.toBeInstanceOf(SessionBusyError);
    await expect(waiter).rejects.toThrow(/Another tab or window is still working on this walkthrough/);
    await long;
    expect(overlapped).toBe(false);
    // Released: the next operation gets it at once.
    await b.withLock('sid', async () => undefined);
  });

  it('a lock whose holder died is free once its lease runs out', async () => {
    const prefix = `dead${++prefixes}:`;
    const direct = sharedRedis(redis.url);
    await direct.eval(`return redis.call('SET', ARGV[1], 'someone-else', 'PX', 200)`, {
      arguments: [`${prefix}lock:sid`],
    });
    const s = new RedisSessionStore(direct, { prefix, lockLeaseMs: 200 });
    const started = Date.now();
    await s.withLock('sid', async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('sealed sessions work the same on it: two managers sharing the secret list open each other’s sessions, rotation included', async () => {
    const prefix = `mgr${++prefixes}:`;
    const old = 'old-secret-0123456789-0123456789-abcdef';
    const next = 'new-secret-0123456789-0123456789-abcdef';
    const before = new SessionManager<{ n: number }>(
      new RedisSessionStore(sharedRedis(redis.url), { prefix }),
      createKeyring([old]),
    );
    // The second instance already has the new secret first and the old one to open older sessions.
    const after = new SessionManager<{ n: number }>(
      new RedisSessionStore(sharedRedis(redis.url), { prefix }),
      createKeyring([next, old]),
    );
    const session = before.create({ n: 1 });
    await before.save(session);
    const loaded = await after.load(session.id);
    expect(loaded?.data).toEqual({ n: 1 });
    await after.save({ ...loaded!, data: { n: 2 } });
    // Sealed under the new secret now: only an instance that knows it can open it.
    expect(await before.load(session.id)).toBeUndefined();
    expect((await after.load(session.id))?.data).toEqual({ n: 2 });
    const raw = await sharedRedis(redis.url).eval(`return redis.call('GET', ARGV[1])`, {
      arguments: [`${prefix}s:${session.id}`],
    });
    expect(String(raw)).not.toContain('"n"');
  });
});

describe('RedisSessionStore when Redis is down or restarts', () => {
  it('answers "store unavailable" while Redis is down, then works again after a restart with no sessions', async () => {
    const own = await startRedis();
    const client = sharedRedis(own.url);
    try {
      const s = new RedisSessionStore(client, { commandTimeoutMs: 1_000 });
      await s.set('sid', 'sealed', 60_000);
      await own.kill();
      await expect(s.get('sid')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await expect(s.set('sid', 'v2', 60_000)).rejects.toThrow(/session store is not answering/);
      expect(await client.ping(500)).toMatchObject({ ok: false });
      await own.restart();
      // The client reconnects by itself; the restarted Redis has no sessions (no persistence).
      await answering(client);
      expect(await s.get('sid')).toBeUndefined();
      await s.set('fresh', 'f', 60_000);
      expect(await s.get('fresh')).toBe('f');
    } finally {
      await client.close().catch(() => undefined);
      await own.stop();
    }
  });

  it('an instance started while Redis is down answers "unavailable", and works once Redis is up', async () => {
    const own = await startRedis();
    await own.kill();
    const client = sharedRedis(`${own.url}/0`);
    try {
      const s = new RedisSessionStore(client, { commandTimeoutMs: 500 });
      await expect(s.get('sid')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await own.restart();
      await answering(client);
      await s.set('sid', 'v', 60_000);
      expect(await s.get('sid')).toBe('v');
    } finally {
      await client.close().catch(() => undefined);
      await own.stop();
    }
  });

  it('a Redis that never answers is "unavailable" after the command deadline, not a hang', async () => {
    const silent = { eval: () => new Promise<never>(() => undefined) };
    const s = new RedisSessionStore(silent, { commandTimeoutMs: 50 });
    await expect(s.get('sid')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
  });
});
