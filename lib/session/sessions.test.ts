import { describe, expect, it } from 'vitest';
import { createKeyring } from './seal';
import { SessionManager } from './sessions';
import { MemorySessionStore } from './store';

function setup(times = { idleMs: 1000, absoluteMs: 5000 }) {
  let now = 1_000_000;
  const store = new MemorySessionStore({ now: () => now });
  const manager = new SessionManager<{ n: number }>(store, createKeyring(['k'.repeat(32)]), times, () => now);
  return { store, manager, tick: (ms: number) => (now += ms) };
}

describe('SessionManager', () => {
  it('stores only ciphertext and loads it back', async () => {
    const { store, manager } = setup();
    const s = manager.create({ n: 42 });
    await manager.save(s);
    expect(await store.get(s.id)).not.toContain('42}');
    expect((await manager.load(s.id))?.data).toEqual({ n: 42 });
  });

  it('expires after the idle time, and use extends it', async () => {
    const { manager, tick } = setup();
    const s = manager.create({ n: 1 });
    await manager.save(s);
    tick(800);
    const again = await manager.load(s.id);
    expect(again).toBeDefined();
    if (again) await manager.save(again);
    tick(800);
    expect(await manager.load(s.id)).toBeDefined();
    tick(1200);
    expect(await manager.load(s.id)).toBeUndefined();
  });

  it('expires at the absolute limit however busy', async () => {
    const { manager, tick } = setup();
    const s = manager.create({ n: 1 });
    await manager.save(s);
    for (let i = 0; i < 6; i++) {
      tick(900);
      const loaded = await manager.load(s.id);
      if (loaded) await manager.save(loaded);
    }
    expect(await manager.load(s.id)).toBeUndefined();
  });

  it('rotation gives a new id and forgets the old one', async () => {
    const { manager } = setup();
    const s = manager.create({ n: 7 });
    await manager.save(s);
    const rotated = await manager.rotate(s);
    expect(rotated.id).not.toBe(s.id);
    expect(await manager.load(s.id)).toBeUndefined();
    expect((await manager.load(rotated.id))?.data).toEqual({ n: 7 });
  });

  it('ignores malformed and unknown ids', async () => {
    const { manager } = setup();
    expect(await manager.load(undefined)).toBeUndefined();
    expect(await manager.load('../../etc/passwd')).toBeUndefined();
    expect(await manager.load('A'.repeat(43))).toBeUndefined();
  });

  it('the memory store evicts the oldest entries past its cap', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    await store.set('a', '1', 10_000);
    await store.set('b', '2', 10_000);
    await store.set('c', '3', 10_000);
    expect(store.size).toBe(2);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('c')).toBe('3');
  });

  it('the memory store evicts the oldest entries past its byte cap, never the one just saved', async () => {
    const store = new MemorySessionStore({ maxBytes: 10 });
    await store.set('a', 'xxxx', 10_000);
    await store.set('b', 'yyyy', 10_000);
    await store.set('a', 'xxxxx', 10_000); // saved again: now the newest
    expect(store.bytes).toBe(9);
    await store.set('c', 'zzzz', 10_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('xxxxx');
    expect(store.bytes).toBe(9);
    await store.set('huge', 'h'.repeat(50), 10_000);
    expect(await store.get('huge')).toBe('h'.repeat(50));
    expect(store.size).toBe(1);
    await store.delete('huge');
    expect(store.bytes).toBe(0);
  });
});

describe('MemorySessionStore under a flood of anonymous sessions', () => {
  it('evicts anonymous sessions, least recently saved first, and never a signed-in one', async () => {
    const store = new MemorySessionStore({ maxEntries: 100, maxAnonymous: 10 });
    await store.set('user', 'signed-in', 60_000, { signedIn: true });
    await store.set('early', 'anon', 60_000);
    for (let i = 0; i < 10_000; i++) await store.set(`flood-${i}`, 'anon', 60_000);
    expect(await store.get('user')).toBe('signed-in');
    expect(await store.get('early')).toBeUndefined();
    expect(await store.get('flood-9999')).toBe('anon');
    expect(store.size).toBe(11);
    expect(store.signedInCount).toBe(1);
  });

  it('refuses a new anonymous session, with a clear message, when only signed-in ones are left', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    await store.set('a', 'x', 60_000, { signedIn: true });
    await store.set('b', 'y', 60_000, { signedIn: true });
    await expect(store.set('c', 'z', 60_000)).rejects.toThrow(/limit of sessions.*signed in/);
    expect(await store.get('a')).toBe('x');
    expect(await store.get('b')).toBe('y');
    // Another signed-in session may take the place of the least recently saved one.
    await store.set('d', 'w', 60_000, { signedIn: true });
    expect(await store.get('a')).toBeUndefined();
  });

  it('counts the byte cap of anonymous sessions apart, so huge anonymous traces cannot push users out', async () => {
    const store = new MemorySessionStore({ maxBytes: 1_000, maxAnonymousBytes: 100 });
    await store.set('user', 'u'.repeat(500), 60_000, { signedIn: true });
    for (let i = 0; i < 50; i++) await store.set(`big-${i}`, 'b'.repeat(60), 60_000);
    expect(await store.get('user')).toBe('u'.repeat(500));
    expect(store.bytes).toBeLessThanOrEqual(560);
  });

  it('a signed-in session saved again after signing out becomes anonymous', async () => {
    const store = new MemorySessionStore({ maxEntries: 3, maxAnonymous: 1 });
    await store.set('a', 'x', 60_000, { signedIn: true });
    await store.set('a', 'x', 60_000);
    await store.set('b', 'y', 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect(store.signedInCount).toBe(0);
  });

  it('expired sessions make room before anything is evicted', async () => {
    let now = 0;
    const store = new MemorySessionStore({ maxEntries: 2, now: () => now });
    await store.set('old', 'x', 10, { signedIn: true });
    await store.set('user', 'y', 60_000, { signedIn: true });
    now = 100;
    await store.set('new', 'z', 60_000);
    expect(await store.get('user')).toBe('y');
    expect(await store.get('new')).toBe('z');
  });
});
