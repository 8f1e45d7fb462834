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

  it('an object two parents share, copied for an undefined member, is the same settled copy under both', () => {
    const shared = { x: undefined, y: 1 };
    const value = { a: { c: shared }, b: { c: shared } };
    const settled = settleJson(value)!;
    expect(settled).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(settled.a.c).toBe(settled.b.c);
    expect(Object.hasOwn(settled.a.c, 'x')).toBe(false);
    expect(Object.isFrozen(settled.a.c)).toBe(true);
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
  /** A sealed value as the store holds it: unique, and ending like a GCM tag would. */
  let n = 0;
  const sealedValue = () => `v1.kid.iv.ciphertext-${++n}.${String(n).padStart(32, 'x')}`;
  const never = () => {
    throw new Error('unsealed although a kept copy was expected');
  };

  it('answers with the kept copy only for the very sealed value it was made from', () => {
    const opened = new OpenedSessions<{ n: number }>();
    const value = { n: 1 };
    const first = sealedValue();
    opened.saved('a', first, value);
    expect(opened.open('a', first, never)).toBe(value);
    const other = sealedValue();
    expect(opened.open('a', other, () => ({ n: 2 }))).toEqual({ n: 2 });
  });

  it('keeps at most its count and its size, least recently used going first', () => {
    const opened = new OpenedSessions<{ n: number }>({ maxEntries: 2, maxSealedChars: 10_000 });
    const [a, b, c] = [sealedValue(), sealedValue(), sealedValue()];
    opened.saved('a', a, { n: 1 });
    opened.saved('b', b, { n: 2 });
    opened.open('a', a, never);
    opened.saved('c', c, { n: 3 });
    expect(opened.keeps('b')).toBe(false);
    expect(opened.keeps('a')).toBe(true);
    const small = new OpenedSessions<{ n: number }>({ maxEntries: 10, maxSealedChars: 10 });
    small.saved('d', sealedValue(), { n: 4 });
    expect(small.keeps('d')).toBe(false);
  });

  it('stops keeping a session two processes take turns on, and keeps it again once one serves it alone', () => {
    // Two processes sharing a store, with round robin in front: each action lands on the other one.
    const store = new Map<string, string>();
    const one = new OpenedSessions<{ n: number }>();
    const two = new OpenedSessions<{ n: number }>();
    const decoded = new Map<string, { n: number }>();
    const save = (p: OpenedSessions<{ n: number }>, value: { n: number }) => {
      const sealed = sealedValue();
      decoded.set(sealed, value);
      store.set('s', sealed);
      p.saved('s', sealed, value);
    };
    const load = (p: OpenedSessions<{ n: number }>) => {
      const sealed = store.get('s')!;
      let unsealed = 0;
      const value = p.open('s', sealed, () => {
        unsealed++;
        return structuredClone(decoded.get(sealed));
      });
      return { value, unsealed };
    };
    save(one, { n: 0 });
    for (let turn = 1; turn <= 4; turn++) {
      const p = turn % 2 ? two : one;
      const { value, unsealed } = load(p);
      expect(value).toEqual({ n: turn - 1 });
      expect(unsealed).toBe(1);
      save(p, { n: turn });
    }
    // After a turn each, neither keeps a copy the other's next save would make stale.
    expect(one.keeps('s')).toBe(false);
    expect(two.keeps('s')).toBe(false);
    // Now `two` serves the session alone (sticky again): its own save comes back, and it keeps it.
    expect(load(two).unsealed).toBe(1);
    save(two, { n: 9 });
    expect(load(two).unsealed).toBe(1);
    expect(two.keeps('s')).toBe(true);
    expect(load(two)).toEqual({ value: { n: 9 }, unsealed: 0 });
  });

  it('a value that does not open is forgotten', () => {
    const opened = new OpenedSessions<{ n: number }>();
    const sealed = sealedValue();
    opened.saved('a', sealed, { n: 1 });
    expect(opened.open('a', sealedValue(), () => undefined)).toBeUndefined();
    expect(opened.size).toBe(0);
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
