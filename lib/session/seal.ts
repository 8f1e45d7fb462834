import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Session values are sealed with AES-256-GCM. The sealed form names the key that sealed it, so the
 * secret can rotate: the first key seals, every key in the ring opens. The session id is bound as
 * additional authenticated data, so a value copied into another session fails to open.
 *
 * Format: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
export interface SealKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: SealKey;
  all: ReadonlyMap<string, SealKey>;
}

const INFO = 'mcp-auth-inspector session v1';

/** Derives a 256-bit key (HKDF-SHA256) and a short public key id from a secret string. */
export function deriveKey(secret: string): SealKey {
  if (secret.length < 32) {
    throw new Error('A session secret must be at least 32 characters long.');
  }
  const key = Buffer.from(hkdfSync('sha256', secret, 'inspector-salt', INFO, 32));
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

/** The first secret seals; the others only open (rotation without logging everyone out). */
export function createKeyring(secrets: readonly string[]): Keyring {
  const keys = secrets.map(deriveKey);
  const current = keys[0];
  if (!current) throw new Error('A keyring needs at least one secret.');
  return { current, all: new Map(keys.map((k) => [k.id, k])) };
}

export function seal(value: unknown, keyring: Keyring, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(Buffer.from(aad));
  const plaintext = Buffer.from(JSON.stringify(value));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    'v1',
    keyring.current.id,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

/** Returns undefined for anything that does not open: tampered, foreign key, other session, garbage. */
export function unseal<T = unknown>(sealed: string, keyring: Keyring, aad: string): T | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
  const [, kid, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  const key = keyring.all.get(kid);
  if (!key) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
