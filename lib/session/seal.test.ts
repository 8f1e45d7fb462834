import { describe, expect, it } from 'vitest';
import { createKeyring, seal, unseal } from './seal';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('seal()/unseal()', () => {
  it('round-trips a value and never shows the plaintext', () => {
    const ring = createKeyring([A]);
    const sealed = seal({ accessToken: 'secret-token-value' }, ring, 'sid');
    expect(sealed).not.toContain('secret-token-value');
    expect(unseal(sealed, ring, 'sid')).toEqual({ accessToken: 'secret-token-value' });
  });

  it('refuses a value sealed for another session id (bound as AAD)', () => {
    const ring = createKeyring([A]);
    expect(unseal(seal({ x: 1 }, ring, 'one'), ring, 'two')).toBeUndefined();
  });

  it('refuses a tampered ciphertext', () => {
    const ring = createKeyring([A]);
    const parts = seal({ x: 1 }, ring, 'sid').split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expect(unseal(parts.join('.'), ring, 'sid')).toBeUndefined();
  });

  it('opens values sealed under a previous key after rotation, and seals with the new one', () => {
    const old = createKeyring([A]);
    const sealed = seal({ x: 1 }, old, 'sid');
    const rotated = createKeyring([B, A]);
    expect(unseal(sealed, rotated, 'sid')).toEqual({ x: 1 });
    const resealed = seal({ x: 2 }, rotated, 'sid');
    expect(resealed.split('.')[1]).toBe(rotated.current.id);
    expect(unseal(resealed, old, 'sid')).toBeUndefined();
  });

  it('treats garbage and foreign keys as no value', () => {
    const ring = createKeyring([A]);
    expect(unseal('nonsense', ring, 'sid')).toBeUndefined();
    expect(unseal(seal({ x: 1 }, createKeyring([B]), 'sid'), ring, 'sid')).toBeUndefined();
  });

  it('rejects short secrets', () => {
    expect(() => createKeyring(['short'])).toThrow(/at least 32/);
  });
});
