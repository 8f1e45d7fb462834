import { describe, expect, it } from 'vitest';
import { OpenedSessions, settleJson } from './opened';
import { createKeyring } from './seal';
import { SessionManager } from './sessions';
import { MemorySessionStore, SessionStoreFullError } from './store';

const SECRET = 'opened-test-secret-0123456789-abcdefghijklmn';

describe('settleJson', () => {
  it('freezes plain JSON deeply, in place', () => {
    const value = { a: [1, { b: 'x' }], c: null, d: true };
    expect(settleJson(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[1])).toBe(true);
  });

  it.each([
    ['a Date', { a: new Date(0) }],
    ['a Buffer', { a: Buffer.from('x') }],
    ['NaN', { a: Number.NaN }],
    ['-0', { a: -0 }],
    ['a sparse array', { a: Object.assign(new Array(3), { 0: 1, 2: 3 }) }],
    ['an undefined element', { a: [1, undefined, 3] }],
    ['a function', { a: () => 1 }],
    ['a Map', { a: new Map() }],
  ])('refuses %s, which unsealing would not give back, and freezes nothing', (_, value) => {
    expect(settleJson(value)).toBeUndefined();
    expect(Object.isFrozen(value)).toBe(false);
  });

  it('drops undefined members as JSON does, copying only what holds one (and the parents on the way)', () => {
    const untouched = { x: 1 };
    const holder = { a: undefined, b: 'kept' };
    const value = { holder, untouched, list: [holder] };
    const settled = settleJson(value)!;
    expect(settled).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(settled.untouched).toBe(untouched);
    expect(settled.holder).not.toBe(holder);
    expect(settled.list[0]).toBe(settled.holder);
    expect(Object.isFrozen(settled.holder)).toBe(true);
    expect(Object.isFrozen(holder)).toBe(false);
  });

  it('walks only what it has not settled before', () => {
    const shared = settleJson({ big: 'document' })!;
    const next = settleJson({ shared, added: 1 })!;
    expect(next.shared).toBe(shared);
  });

  it('walks deep documents without overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) {
      const next = {};
      deep.n = next;
      deep = next;
    }
    expect(settleJson(root)).toBe(root);
  });
});

describe('OpenedSessions', () => {
  it('answers only for the very sealed value it was made from', () => {
    const opened = new OpenedSessions<{ n: number }>();
    const value = { n: 1 };
    opened.set('a', 'sealed-1', value);
    expect(opened.get('a', 'sealed-1')).toBe(value);
    expect(opened.get('a', 'sealed-2')).toBeUndefined();
    // A mismatch drops the entry: the old value is not offered again.
    expect(opened.get('a', 'sealed-1')).toBeUndefined();
  });

  it('keeps at most its count and its size, least recently used going first', () => {
    const opened = new OpenedSessions<{ n: number }>({ maxEntries: 2, maxSealedChars: 10 });
    opened.set('a', 'aaaa', { n: 1 });
    opened.set('b', 'bbbb', { n: 2 });
    opened.get('a', 'aaaa');
    opened.set('c', 'cccc', { n: 3 });
    expect(opened.get('b', 'bbbb')).toBeUndefined();
    expect(opened.get('a', 'aaaa')).toEqual({ n: 1 });
    opened.set('d', 'dddddddd', { n: 4 });
    expect(opened.size).toBe(1);
    expect(opened.get('d', 'dddddddd')).toEqual({ n: 4 });
    opened.set('e', 'e'.repeat(11), { n: 5 });
    expect(opened.get('e', 'e'.repeat(11))).toBeUndefined();
  });
});

interface Data {
  n: number;
  list?: Array<{ k: string; v?: string }>;
}

function managers() {
  const store = new MemorySessionStore({ maxEntries: 2, maxAnonymous: 2 });
  const keyring = createKeyring([SECRET]);
  // Two managers on one store stand for two instances sharing Redis.
  return {
    store,
    one: new SessionManager<Data>(store, keyring),
    two: new SessionManager<Data>(store, keyring),
  };
}

describe('SessionManager with opened sessions', () => {
  it('hands back the objects it saved, frozen, while the store holds that value', async () => {
    const { one } = managers();
    const part = { k: 'kept' };
    const s = one.create({ n: 1, list: [part] });
    await one.save(s);
    const loaded = await one.load(s.id);
    expect(loaded?.data.list?.[0]).toBe(part);
    expect(() => {
      (loaded!.data as { n: number }).n = 2;
    }).toThrow(TypeError);
  });

  it('opens what another instance saved, not its own older copy', async () => {
    const { one, two } = managers();
    const s = one.create({ n: 1 });
    await one.save(s);
    await one.load(s.id);
    const theirs = await two.load(s.id);
    await two.save({ ...theirs!, data: { n: 2 } });
    expect((await one.load(s.id))?.data).toEqual({ n: 2 });
  });

  it('forgets a session another instance deleted', async () => {
    const { one, two } = managers();
    const s = one.create({ n: 1 });
    await one.save(s);
    await two.destroy(s.id);
    expect(await one.load(s.id)).toBeUndefined();
  });

  it('gives back what unsealing gives for a value that is not plain JSON', async () => {
    const { one } = managers();
    const s = one.create({ n: 1, list: [{ k: 'a', v: undefined }] });
    await one.save(s);
    const loaded = await one.load(s.id);
    expect(loaded?.data.list?.[0]).toEqual({ k: 'a' });
    expect(Object.hasOwn(loaded!.data.list![0]!, 'v')).toBe(false);
  });

  it('keeps nothing of a save the store refused', async () => {
    const { store, one } = managers();
    const kept = one.create({ n: 1 });
    await one.save(kept);
    // Two signed-in sessions fill the store; a new anonymous one is refused.
    await store.set('x'.repeat(43), 'v', 60_000, { signedIn: true });
    await store.set('y'.repeat(43), 'v', 60_000, { signedIn: true });
    const refused = one.create({ n: 9 });
    await expect(one.save(refused)).rejects.toBeInstanceOf(SessionStoreFullError);
    expect(await one.load(refused.id)).toBeUndefined();
  });
});
