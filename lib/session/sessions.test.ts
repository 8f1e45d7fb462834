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
